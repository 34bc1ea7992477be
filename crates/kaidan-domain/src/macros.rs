//! Small declaration macros shared by the value types (money, quantities,
//! order-number patterns), so that each repeated impl is written once.

/// The conversions behind `#[serde(try_from = "…", into = "…")]` of a
/// checked newtype: in through its checking constructor, out as the raw value.
macro_rules! checked_conversions {
    ($ty:ident . $field:tt : $raw:ty, $err:ty, $check:expr) => {
        impl TryFrom<$raw> for $ty {
            type Error = $err;
            fn try_from(value: $raw) -> Result<Self, Self::Error> {
                $check(value)
            }
        }

        impl From<$ty> for $raw {
            fn from(value: $ty) -> Self {
                value.$field
            }
        }
    };
}

/// The OpenAPI schema of a type that travels as one JSON string.
macro_rules! string_schema {
    ($ty:ty, $description:expr, $example:expr) => {
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $ty {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .description(Some($description))
                    .examples([serde_json::json!($example)])
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $ty {}
    };
}
