//! The published OpenAPI description (INT-1). Fixed routes are described by
//! `#[utoipa::path]` on their handlers and collected by the router that
//! mounts them (`api::routes`); the five generic master-data routes are
//! added here once per record type, from the same list the router uses, so
//! the document and the router cannot drift apart.

use kaidan_app::MasterEntity;
use kaidan_domain::master::{
    CustomerData, PriceListData, ProductData, RegionData, StoreData, WarehouseData,
};
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{AllOfBuilder, ArrayBuilder, ObjectBuilder, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{
    ContentBuilder, OpenApi as Doc, Ref, RefOr, Required, ResponseBuilder, Schema,
};
use utoipa::{OpenApi, ToSchema};

use crate::api;
use crate::problem::Problem;
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Kaidan API", description = "Kaidan (开单): sales order management and fulfillment. \
        Authenticate with `Authorization: Bearer <token>` (tokens: `kaidan user add-token`) or the session \
        cookie of `POST /api/v1/session` plus `X-CSRF-Token` on writes. Errors are RFC 9457 problem details. \
        Lists take `?q=&cursor=&limit=` and return `next_cursor`. Updates need `If-Match: <ETag>`; creates \
        accept `Idempotency-Key`."),
    components(schemas(Problem, kaidan_app::ports::AuditEntry)),
    modifiers(&Security),
)]
struct Fixed;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, doc: &mut Doc) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::auth::SESSION_COOKIE,
            ))),
        );
    }
}

/// The master-data collections: (path, tag). The router mounts the same.
pub const MASTER: &[(&str, &str)] = &[
    ("/api/v1/products", "products"),
    ("/api/v1/customers", "customers"),
    ("/api/v1/warehouses", "warehouses"),
    ("/api/v1/regions", "regions"),
    ("/api/v1/stores", "stores"),
    ("/api/v1/price-lists", "price lists"),
];

fn json(schema: impl Into<RefOr<Schema>>) -> utoipa::openapi::Content {
    ContentBuilder::new().schema(Some(schema)).build()
}

fn problem_response(desc: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(desc)
        .content(
            "application/problem+json",
            json(Ref::from_schema_name("Problem")),
        )
        .build()
}

fn param(
    name: &str,
    at: ParameterIn,
    kind: Type,
    required: bool,
    desc: &str,
) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(at)
        .required(if required {
            Required::True
        } else {
            Required::False
        })
        .description(Some(desc))
        .schema(Some(ObjectBuilder::new().schema_type(kind)))
        .build()
}

fn add_master<T: MasterEntity + ToSchema>(doc: &mut Doc, path: &str, tag: &str) {
    let name = T::name().to_string();
    let record_name = format!("{name}Record");
    let components = doc.components.get_or_insert_with(Default::default);
    let mut deps = Vec::new();
    T::schemas(&mut deps);
    for (n, s) in deps {
        components.schemas.insert(n, s);
    }
    components.schemas.insert(name.clone(), T::schema());
    let record: Schema = AllOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .property("id", ObjectBuilder::new().schema_type(Type::Integer))
                .property(
                    "version",
                    ObjectBuilder::new()
                        .schema_type(Type::Integer)
                        .description(Some("also the ETag")),
                )
                .property(
                    "updated_at",
                    ObjectBuilder::new().schema_type(Type::String).format(Some(
                        utoipa::openapi::SchemaFormat::KnownFormat(
                            utoipa::openapi::KnownFormat::DateTime,
                        ),
                    )),
                )
                .required("id")
                .required("version")
                .required("updated_at"),
        )
        .item(Ref::from_schema_name(&name))
        .build()
        .into();
    components
        .schemas
        .insert(record_name.clone(), record.into());
    let page = ObjectBuilder::new()
        .property(
            "items",
            ArrayBuilder::new().items(Ref::from_schema_name(&record_name)),
        )
        .property(
            "next_cursor",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some(
                    "pass as ?cursor= for the next page; absent on the last page",
                )),
        )
        .required("items");
    let ok = |desc: &str, schema: RefOr<Schema>| {
        ResponseBuilder::new()
            .description(desc)
            .content("application/json", json(schema))
            .build()
    };
    let body = RequestBodyBuilder::new()
        .required(Some(Required::True))
        .content("application/json", json(Ref::from_schema_name(&name)))
        .build();
    let what = T::WHAT;
    // Every operation has its own id, so clients generated from the
    // document get stable names (`list_price_lists`, `read_product`, ...).
    let key = what.replace(' ', "_");
    let op = |summary: String, id: String| {
        OperationBuilder::new()
            .tag(tag)
            .summary(Some(summary))
            .operation_id(Some(id))
    };
    let list = op(format!("List {what} records"), format!("list_{key}s"))
        .parameter(param(
            "q",
            ParameterIn::Query,
            Type::String,
            false,
            "search code/SKU and name",
        ))
        .parameter(param(
            "cursor",
            ParameterIn::Query,
            Type::String,
            false,
            "next_cursor of the previous page",
        ))
        .parameter(param(
            "limit",
            ParameterIn::Query,
            Type::Integer,
            false,
            "page size, 1 to 500 (default 50)",
        ))
        .response("200", ok("one page", Schema::Object(page.build()).into()))
        .response("422", problem_response("bad query"))
        .build();
    let create = op(format!("Create a {what}"), format!("create_{key}"))
        .parameter(param(
            "Idempotency-Key",
            ParameterIn::Header,
            Type::String,
            false,
            "a retry with the same key returns the first answer",
        ))
        .request_body(Some(body.clone()))
        .response(
            "201",
            ok("created", Ref::from_schema_name(&record_name).into()),
        )
        .response("409", problem_response("code already used"))
        .response("422", problem_response("invalid fields, each named"))
        .build();
    let id = param("id", ParameterIn::Path, Type::Integer, true, "record id");
    let read = op(format!("Read a {what}"), format!("read_{key}"))
        .parameter(id.clone())
        .response(
            "200",
            ok(
                "the record; ETag header = version",
                Ref::from_schema_name(&record_name).into(),
            ),
        )
        .response("404", problem_response("no such record"))
        .build();
    let replace = op(format!("Replace a {what}"), format!("replace_{key}"))
        .parameter(id.clone())
        .parameter(param(
            "If-Match",
            ParameterIn::Header,
            Type::String,
            true,
            "the ETag read before",
        ))
        .request_body(Some(body))
        .response(
            "200",
            ok("updated", Ref::from_schema_name(&record_name).into()),
        )
        .response(
            "412",
            problem_response("changed by someone else since read"),
        )
        .response("422", problem_response("invalid fields, each named"))
        .response("428", problem_response("If-Match missing"))
        .build();
    let audit = op(
        format!("Audit history of a {what}, newest first"),
        format!("{key}_history"),
    )
    .parameter(id)
    .response(
        "200",
        ok(
            "who, when, what, before → after",
            ArrayBuilder::new()
                .items(Ref::from_schema_name("AuditEntry"))
                .build()
                .into(),
        ),
    )
    .build();
    doc.paths
        .add_path_operation(path, vec![HttpMethod::Get], list);
    doc.paths
        .add_path_operation(path, vec![HttpMethod::Post], create);
    let item = format!("{path}/{{id}}");
    doc.paths
        .add_path_operation(&item, vec![HttpMethod::Get], read);
    doc.paths
        .add_path_operation(&item, vec![HttpMethod::Put], replace);
    doc.paths
        .add_path_operation(format!("{item}/audit"), vec![HttpMethod::Get], audit);
}

/// The API's router and its whole document.
pub fn api() -> (axum::Router<AppState>, Doc) {
    let (router, mut doc) = api::routes(Fixed::openapi()).split_for_parts();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    for (path, tag) in MASTER {
        match *tag {
            "products" => add_master::<ProductData>(&mut doc, path, tag),
            "customers" => add_master::<CustomerData>(&mut doc, path, tag),
            "warehouses" => add_master::<WarehouseData>(&mut doc, path, tag),
            "regions" => add_master::<RegionData>(&mut doc, path, tag),
            "stores" => add_master::<StoreData>(&mut doc, path, tag),
            _ => add_master::<PriceListData>(&mut doc, path, tag),
        }
    }
    (router, doc)
}

/// The whole document.
pub fn document() -> Doc {
    api().1
}
