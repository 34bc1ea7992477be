//! The figures a manager reads and the ways each breaks down.

use crate::access::string_enum;

string_enum!(
    /// A figure of the seeds (KPI-1..5).
    Figure {
        /// KPI-1 订单处理准确率: orders without a correction caused by a
        /// processing error / all orders.
        Accuracy = "accuracy",
        /// KPI-2 订单处理及时率: orders reviewed and shipped within their
        /// deadlines / orders whose deadlines are decided.
        OnTime = "on_time",
        /// KPI-3 客户满意度: satisfied customers / surveyed customers.
        Satisfaction = "satisfaction",
        /// KPI-4 库存管理准确率: orders whose stock check was right /
        /// orders picked.
        StockCheck = "stock_check",
        /// KPI-5: sales amount, order count, gross margin, customers.
        Sales = "sales",
    }
);

string_enum!(
    /// What a figure is broken down by.
    Breakdown {
        /// The user who entered the order (开单员).
        Clerk = "clerk",
        /// The customer's sales rep.
        Rep = "rep",
        /// The sales team of the customer's rep.
        Team = "team",
        Region = "region",
        /// Franchisee, direct region, affiliated, store, business.
        CustomerKind = "customer_kind",
        Customer = "customer",
        /// How the order came in (phone, portal, a visit, ...).
        Channel = "channel",
        /// The products' category (品类): sales only.
        Category = "category",
    }
);

impl Figure {
    /// The requirement id the figure proves.
    pub fn requirement(self) -> &'static str {
        match self {
            Figure::Accuracy => "KPI-1",
            Figure::OnTime => "KPI-2",
            Figure::Satisfaction => "KPI-3",
            Figure::StockCheck => "KPI-4",
            Figure::Sales => "KPI-5",
        }
    }

    /// A share of hits among the counted (the four KPIs); sales is amounts.
    pub fn is_rate(self) -> bool {
        !matches!(self, Figure::Sales)
    }

    /// The breakdowns that mean something for the figure: a survey is the
    /// customer's, not the clerk's.
    pub fn breakdowns(self) -> &'static [Breakdown] {
        use Breakdown::*;
        match self {
            Figure::Satisfaction => &[Rep, Team, Region, CustomerKind, Customer],
            Figure::Sales => &[
                Clerk,
                Rep,
                Team,
                Region,
                CustomerKind,
                Customer,
                Channel,
                Category,
            ],
            _ => &[Clerk, Rep, Team, Region, CustomerKind, Customer, Channel],
        }
    }

    /// The breakdown a figure opens on: the clerk for the clerk's KPIs,
    /// the region for sales (customer distribution).
    pub fn default_breakdown(self) -> Breakdown {
        match self {
            Figure::Accuracy | Figure::OnTime | Figure::StockCheck => Breakdown::Clerk,
            Figure::Satisfaction => Breakdown::Rep,
            Figure::Sales => Breakdown::Region,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_figure_names_its_requirement_and_offers_its_default_breakdown() {
        for f in Figure::ALL {
            assert!(f.requirement().starts_with("KPI-"));
            assert!(f.breakdowns().contains(&f.default_breakdown()), "{f}");
        }
        for b in [Breakdown::Clerk, Breakdown::Channel] {
            assert!(!Figure::Satisfaction.breakdowns().contains(&b), "{b}");
        }
    }
}
