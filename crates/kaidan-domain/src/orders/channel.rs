//! Intake channels (ORD-1): how an order reached the company. Recorded on
//! every order.

use crate::access::string_enum;

string_enum!(
    /// How an order arrived (ORD-1).
    Channel {
        /// Taken by a clerk on the telephone.
        Phone = "phone",
        Email = "email",
        Fax = "fax",
        /// The customer portal.
        Web = "web",
        /// An e-commerce platform (marketplace shop).
        ECommerce = "e_commerce",
        /// The JSON API (a customer's or partner's system).
        Api = "api",
        /// Submitted by a sales rep for the customer.
        SalesRep = "sales_rep",
    }
);

impl Channel {
    pub fn label_zh(self) -> &'static str {
        match self {
            Channel::Phone => "电话",
            Channel::Email => "邮件",
            Channel::Fax => "传真",
            Channel::Web => "网站",
            Channel::ECommerce => "电商平台",
            Channel::Api => "接口",
            Channel::SalesRep => "销售代表",
        }
    }

    /// Entered by staff on the customer's behalf (the written or spoken order
    /// is re-keyed), as opposed to submitted electronically by the customer.
    pub fn is_keyed_by_staff(self) -> bool {
        matches!(
            self,
            Channel::Phone | Channel::Email | Channel::Fax | Channel::SalesRep
        )
    }
}
