//! Roles and permissions (SEC-1). Permissions are data: the defaults below are
//! written to the database when it is created, and an administrator may
//! change them; use cases check the permission, never the role.

use serde::Serialize;

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name { $($(#[$vmeta])* #[serde(rename = $text)] #[cfg_attr(feature = "openapi", schema(rename = $text))] $variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s.trim() {
                    $($text => Ok($name::$variant),)*
                    other => Err(crate::UnknownValue {
                        kind: stringify!($name),
                        value: other.to_string(),
                        allowed: &[$($text),*],
                    }),
                }
            }
        }
    };
}
pub(crate) use string_enum;

string_enum!(
    /// The departments of the seeds, as roles.
    Role {
        Admin = "admin",
        OrderClerk = "order_clerk",
        SalesRep = "sales_rep",
        SalesManager = "sales_manager",
        Finance = "finance",
        Warehouse = "warehouse",
        Logistics = "logistics",
        BrandProduct = "brand_product",
        ChannelBusiness = "channel_business",
        Procurement = "procurement",
        Legal = "legal",
        GeneralManager = "general_manager",
        /// A customer's portal user: sees only its own customer's records.
        Customer = "customer",
        /// A customer's own administrator, beside `customer`: manages the
        /// portal users of its customer.
        CustomerAdmin = "customer_admin",
    }
);

string_enum!(
    /// What a user may do. Checked in the use cases.
    Permission {
        ProductRead = "product.read",
        ProductWrite = "product.write",
        CustomerRead = "customer.read",
        CustomerWrite = "customer.write",
        /// Put a customer on finance hold and release it (FIN-6).
        CustomerHold = "customer.hold",
        /// Prices and price lists are confidential (SEC-4).
        PriceRead = "price.read",
        PriceWrite = "price.write",
        WarehouseRead = "warehouse.read",
        WarehouseWrite = "warehouse.write",
        RegionRead = "region.read",
        RegionWrite = "region.write",
        StoreRead = "store.read",
        StoreWrite = "store.write",
        CalendarWrite = "calendar.write",
        StockRead = "stock.read",
        /// Enter and post stock counts (INV-3).
        StockCount = "stock.count",
        ImportData = "data.import",
        ExportData = "data.export",
        AuditRead = "audit.read",
        UserAdmin = "user.admin",
        /// Enter orders (a portal user: for its own customer only).
        OrderCreate = "order.create",
        OrderRead = "order.read",
        /// Sales review (ORD-4).
        OrderReview = "order.review",
        /// Approve a price that deviates from the price list (sales manager).
        OrderApprovePrice = "order.approve_price",
        /// Finance review and credit-hold decisions (ORD-4, FIN-6).
        OrderFinanceReview = "order.finance_review",
        /// Take part in the joint review for one's department.
        OrderJointReview = "order.joint_review",
        OrderCancel = "order.cancel",
        AccountRead = "account.read",
        /// Post deposits and adjustments to funds and credit accounts (FIN-5).
        AccountWrite = "account.write",
        /// See purchase orders, arrival plans and notices (PUR-1..3).
        PurchaseRead = "purchase.read",
        /// Create, send, confirm and receive purchase orders (PUR-1, PUR-3).
        PurchaseWrite = "purchase.write",
        /// See pick lists, shipments, tracking and delivery (SHP-1..3).
        ShipmentRead = "shipment.read",
        /// Pick, pack, ship, record tracking and proof of delivery.
        ShipmentWrite = "shipment.write",
        /// See the scheduled jobs and their last runs.
        JobsRead = "jobs.read",
        /// Run a scheduled job now, out of its schedule (operations).
        JobsRun = "jobs.run",
        /// Preview and commit allocation runs (分货, ALC-1..10).
        AllocationRun = "allocation.run",
        /// See invoices, receipts, ageing (FIN-1..4); a sales rep: of his
        /// own customers.
        InvoiceRead = "invoice.read",
        /// Issue invoices and credit notes, record fapiao numbers, match
        /// money (FIN-1, FIN-3).
        InvoiceWrite = "invoice.write",
        /// Register a receipt with its voucher (a sales rep: for his own
        /// customers, FIN-3).
        ReceiptRegister = "receipt.register",
        /// Verify, reject and reverse receipts (finance, FIN-3).
        ReceiptVerify = "receipt.verify",
        /// See webhook subscriptions and their deliveries (INT-5).
        WebhookRead = "webhook.read",
        /// Register, change and renew webhook subscriptions; retry and
        /// replay deliveries (INT-5).
        WebhookAdmin = "webhook.admin",
        /// A portal user registers its own customer's payments with a
        /// voucher for finance to verify (INT-2, FIN-3).
        PortalPay = "portal.pay",
        /// A customer's own administrator manages its customer's portal
        /// users (SEC-1, issue 18).
        PortalAdmin = "portal.admin",
        /// See return requests (AFS-1); a portal user: its own.
        ReturnRead = "return.read",
        /// Raise a return or exchange request (rep, clerk, a portal user
        /// for its own customer).
        ReturnRequest = "return.request",
        /// Approve or reject return requests and send the replacement of
        /// an exchange (the sales manager, seed 001 第十五条).
        ReturnApprove = "return.approve",
        /// Receive returned goods, inspect them, finish repairs (warehouse).
        ReturnReceive = "return.receive",
        /// See complaints and feedback (AFS-2); a portal user: its own.
        ComplaintRead = "complaint.read",
        /// Record a complaint from any channel (a portal user: its own).
        ComplaintCreate = "complaint.create",
        /// Acknowledge, route, own, resolve complaints and record the
        /// customer's confirmation and the callback (回访).
        ComplaintHandle = "complaint.handle",
        /// See survey answers and the satisfaction figures (AFS-3, KPI-3).
        SurveyRead = "survey.read",
        /// Send a period's survey to a region's customers.
        SurveySend = "survey.send",
        /// Record the answers a customer gave by phone or at a visit.
        SurveyAnswer = "survey.answer",
        /// See sales contracts (CON-1, CON-2).
        ContractRead = "contract.read",
        /// Draft and change contracts, submit them for review (sales).
        ContractDraft = "contract.draft",
        /// Review a contract's terms (legal).
        ContractReviewLegal = "contract.review_legal",
        /// Review a contract's financial terms (finance).
        ContractReviewFinance = "contract.review_finance",
        /// Approve a contract (the general manager).
        ContractApprove = "contract.approve",
        /// Record the signing and the signed copy; put it in force.
        ContractSign = "contract.sign",
        /// Keep the paper originals: record a borrowed original back
        /// (seed 001: 借阅签字制, the sales assistant's file).
        ContractArchive = "contract.archive",
        /// Read every figure of the company (KPI-1..5) and its records.
        FiguresRead = "figures.read",
        /// Read one's own figures: the orders one entered and those of
        /// one's customers (a clerk, a rep).
        FiguresReadOwn = "figures.read_own",
        /// Read the figures of the teams one manages (a sales manager):
        /// their members' orders and customers, and one's own.
        FiguresReadTeam = "figures.read_team",
        /// Draft the annual sales targets and their split, submit them,
        /// record the follow-up of a missed month (the sales department).
        TargetsWrite = "targets.write",
        /// Approve or return the annual sales targets (the general
        /// manager, seed 001 第十四条).
        TargetsApprove = "targets.approve",
        /// Write one's own visit plans and visit reports, close the things
        /// promised (a rep; seed 001 拜访作业).
        VisitsWrite = "visits.write",
        /// Approve or return the visit plans of the reps one leads, review
        /// their reports (the sales manager: 呈部门经理审核).
        VisitsApprove = "visits.approve",
        /// Propose extra points for the reps one leads and post a month's
        /// basic points (the sales manager; seed 001 积分管理制度).
        PointsWrite = "points.write",
        /// Approve or reject extra points, set the points scheme and the
        /// catalogue (the general manager).
        PointsApprove = "points.approve",
        /// Redeem one's own points from the catalogue (a rep, a manager).
        PointsRedeem = "points.redeem",
        /// Write one's own expense claims and attach their receipts (a
        /// rep, a manager; seed 001 第五章销售费用与报销).
        ExpensesWrite = "expenses.write",
        /// Approve or return the expense claims of the reps one leads (the
        /// sales manager: 销售部门负责审核销售人员的报销申请).
        ExpensesApprove = "expenses.approve",
        /// Approve or return claims the manager approved, and record their
        /// reimbursement (finance).
        ExpensesFinance = "expenses.finance",
        /// Set the monthly expense budgets of reps and teams (the general
        /// manager).
        ExpensesBudget = "expenses.budget",
        /// Compute the month's commission statements and review those of
        /// the reps one leads (the sales manager).
        CommissionsWrite = "commissions.write",
        /// Confirm reviewed commission statements or send them back
        /// (finance).
        CommissionsFinance = "commissions.finance",
        /// Write the commission policies (the general manager; seed 001:
        /// 根据销售业绩提供提成).
        CommissionsPolicy = "commissions.policy",
        /// Assess the order clerks each month: score the supervisor's
        /// items, confirm, record the rectification plan (seed 000: 监督
        /// 人员; the general manager and the sales managers).
        AssessmentsWrite = "assessments.write",
    }
);

impl Role {
    /// The permissions a role starts with. An administrator can change them.
    pub fn default_permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::Admin => Permission::ALL,
            Role::OrderClerk => &[
                FiguresReadOwn,
                ContractRead,
                ContractArchive,
                SurveyRead,
                ComplaintRead,
                ComplaintCreate,
                ComplaintHandle,
                ReturnRead,
                ReturnRequest,
                OrderCreate,
                OrderRead,
                OrderReview,
                OrderCancel,
                ProductRead,
                CustomerRead,
                PriceRead,
                WarehouseRead,
                RegionRead,
                StoreRead,
                StockRead,
                ImportData,
                ExportData,
                AuditRead,
                ShipmentRead,
            ],
            Role::SalesRep => &[
                FiguresReadOwn,
                VisitsWrite,
                PointsRedeem,
                ExpensesWrite,
                ContractRead,
                ContractDraft,
                ContractSign,
                SurveyAnswer,
                SurveyRead,
                ComplaintRead,
                ComplaintCreate,
                ComplaintHandle,
                ReturnRead,
                ReturnRequest,
                InvoiceRead,
                ReceiptRegister,
                OrderCreate,
                OrderRead,
                ProductRead,
                CustomerRead,
                PriceRead,
                RegionRead,
                StoreRead,
                StockRead,
            ],
            Role::SalesManager => &[
                FiguresReadTeam,
                TargetsWrite,
                VisitsWrite,
                VisitsApprove,
                PointsWrite,
                PointsRedeem,
                ExpensesWrite,
                ExpensesApprove,
                CommissionsWrite,
                AssessmentsWrite,
                ContractRead,
                ContractArchive,
                ContractDraft,
                ContractSign,
                SurveyAnswer,
                SurveyRead,
                SurveySend,
                ComplaintRead,
                ComplaintCreate,
                ComplaintHandle,
                ReturnRead,
                ReturnRequest,
                ReturnApprove,
                InvoiceRead,
                OrderCreate,
                OrderRead,
                OrderReview,
                OrderApprovePrice,
                OrderJointReview,
                OrderCancel,
                AccountRead,
                ProductRead,
                CustomerRead,
                CustomerWrite,
                PriceRead,
                PriceWrite,
                RegionRead,
                StoreRead,
                StockRead,
                ExportData,
                AuditRead,
            ],
            Role::Finance => &[
                FiguresRead,
                ExpensesFinance,
                CommissionsFinance,
                ContractRead,
                ContractReviewFinance,
                ComplaintRead,
                ComplaintCreate,
                ComplaintHandle,
                ReturnRead,
                InvoiceRead,
                InvoiceWrite,
                ReceiptRegister,
                ReceiptVerify,
                OrderRead,
                OrderFinanceReview,
                OrderJointReview,
                AccountRead,
                AccountWrite,
                ProductRead,
                CustomerRead,
                CustomerWrite,
                CustomerHold,
                PriceRead,
                WarehouseRead,
                RegionRead,
                StoreRead,
                ExportData,
                AuditRead,
            ],
            Role::Warehouse => &[
                ComplaintRead,
                ComplaintCreate,
                ComplaintHandle,
                ReturnRead,
                ReturnReceive,
                OrderRead,
                OrderJointReview,
                ProductRead,
                WarehouseRead,
                WarehouseWrite,
                RegionRead,
                StoreRead,
                StockRead,
                StockCount,
                ImportData,
                ExportData,
                PurchaseRead,
                PurchaseWrite,
                ShipmentRead,
                ShipmentWrite,
                JobsRead,
            ],
            Role::Logistics => &[
                ComplaintRead,
                ComplaintCreate,
                ComplaintHandle,
                ReturnRead,
                OrderRead,
                OrderJointReview,
                ProductRead,
                CustomerRead,
                WarehouseRead,
                RegionRead,
                StoreRead,
                ShipmentRead,
                ShipmentWrite,
                ImportData,
            ],
            Role::BrandProduct => &[
                ProductRead,
                ProductWrite,
                CustomerRead,
                PriceRead,
                WarehouseRead,
                RegionRead,
                RegionWrite,
                StoreRead,
                StoreWrite,
                StockRead,
                ImportData,
                ExportData,
                AuditRead,
                AllocationRun,
                OrderRead,
                AccountRead,
            ],
            Role::ChannelBusiness => &[
                SurveyRead,
                ComplaintRead,
                ReturnRead,
                InvoiceRead,
                OrderRead,
                AccountRead,
                ProductRead,
                CustomerRead,
                PriceRead,
                RegionRead,
                StoreRead,
                StockRead,
                ExportData,
                PurchaseRead,
                ShipmentRead,
            ],
            Role::Procurement => &[
                ProductRead,
                ProductWrite,
                WarehouseRead,
                StockRead,
                ImportData,
                ExportData,
                PurchaseRead,
                PurchaseWrite,
                OrderRead,
                JobsRead,
            ],
            Role::Legal => &[CustomerRead, ProductRead, ContractRead, ContractReviewLegal],
            Role::GeneralManager => &[
                FiguresRead,
                TargetsApprove,
                PointsApprove,
                ExpensesBudget,
                CommissionsPolicy,
                AssessmentsWrite,
                ContractRead,
                ContractApprove,
                SurveyRead,
                ComplaintRead,
                ReturnRead,
                InvoiceRead,
                OrderRead,
                OrderApprovePrice,
                AccountRead,
                ProductRead,
                CustomerRead,
                PriceRead,
                WarehouseRead,
                RegionRead,
                StoreRead,
                StockRead,
                ExportData,
                AuditRead,
                CalendarWrite,
                PurchaseRead,
                ShipmentRead,
                JobsRead,
            ],
            // A portal user reads the catalogue and its own customer record
            // (the use cases restrict it to that one record).
            Role::Customer => &[
                ProductRead,
                CustomerRead,
                OrderCreate,
                OrderRead,
                PortalPay,
                ReturnRead,
                ReturnRequest,
                ComplaintRead,
                ComplaintCreate,
            ],
            Role::CustomerAdmin => &[PortalAdmin],
        }
    }

    /// Roles are shown in Chinese first.
    pub fn label_zh(self) -> &'static str {
        match self {
            Role::Admin => "系统管理员",
            Role::OrderClerk => "开单员",
            Role::SalesRep => "销售代表",
            Role::SalesManager => "销售经理",
            Role::Finance => "财务",
            Role::Warehouse => "总仓",
            Role::Logistics => "物流",
            Role::BrandProduct => "品牌产品科",
            Role::ChannelBusiness => "渠道业务",
            Role::Procurement => "采购",
            Role::Legal => "法务",
            Role::GeneralManager => "总经理",
            Role::Customer => "客户",
            Role::CustomerAdmin => "客户管理员",
        }
    }
}

/// Who is acting. Built by the app from an authenticated session or token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub user_id: crate::UserId,
    pub username: String,
    pub roles: Vec<Role>,
    pub permissions: Vec<Permission>,
    /// Set for customer-portal users: they see only this customer's records.
    pub customer_id: Option<crate::CustomerId>,
}

impl Actor {
    pub fn can(&self, p: Permission) -> bool {
        self.permissions.contains(&p)
    }

    pub fn has_role(&self, r: Role) -> bool {
        self.roles.contains(&r)
    }

    /// The system itself (migrations, demo loader, scheduled jobs).
    pub fn system() -> Actor {
        Actor {
            user_id: crate::UserId(0),
            username: "system".into(),
            roles: vec![Role::Admin],
            permissions: Permission::ALL.to_vec(),
            customer_id: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sec_1_every_role_parses_back_from_its_name() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), *r);
        }
        let err = "boss".parse::<Role>().unwrap_err();
        assert!(err.to_string().contains("order_clerk"), "{err}");
    }

    #[test]
    fn sec_4_customer_role_cannot_read_prices_or_write() {
        let p = Role::Customer.default_permissions();
        assert!(!p.contains(&Permission::PriceRead));
        assert!(!p.contains(&Permission::CustomerWrite));
        assert!(
            Role::Admin
                .default_permissions()
                .contains(&Permission::UserAdmin)
        );
    }
}
