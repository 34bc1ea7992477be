//! Page texts in Chinese (the default) and English.

use axum::http::HeaderMap;

use crate::auth::{LANG_COOKIE, cookie};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn from_headers(h: &HeaderMap) -> Lang {
        match cookie(h, LANG_COOKIE) {
            Some("en") => Lang::En,
            _ => Lang::Zh,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Picks the text of this language.
    pub fn pick(self, zh: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// A fixed text of the page chrome.
    pub fn t(self, key: &str) -> &'static str {
        let (zh, en) = match key {
            "app" => ("开单 Kaidan", "Kaidan 开单"),
            "home" => ("首页", "Home"),
            "orders" => ("订单", "Orders"),
            "deadlines" => ("到期提醒", "Deadlines"),
            "finance" => ("财务", "Finance"),
            "products" => ("产品", "Products"),
            "customers" => ("客户", "Customers"),
            "warehouses" => ("仓库", "Warehouses"),
            "regions" => ("区域", "Regions"),
            "stores" => ("店铺", "Stores"),
            "stock" => ("库存", "Stock"),
            "stock_counts" => ("盘点", "Stock counts"),
            "shipping" => ("发货计划", "Shipping plan"),
            "shipments" => ("发运", "Shipments"),
            "transfers" => ("调拨单", "Transfers"),
            "returns" => ("退换货", "Returns"),
            "complaints" => ("投诉", "Complaints"),
            "surveys" => ("满意度", "Satisfaction"),
            "contracts" => ("合同", "Contracts"),
            "figures" => ("指标", "Figures"),
            "teams" => ("销售团队", "Teams"),
            "targets" => ("销售目标", "Targets"),
            "visits" => ("客户拜访", "Visits"),
            "points" => ("积分", "Points"),
            "expenses" => ("费用报销", "Expenses"),
            "commissions" => ("销售提成", "Commissions"),
            "assessments" => ("开单员考核", "Clerk assessment"),
            "purchase_orders" => ("采购订单", "Purchase orders"),
            "arrival_notices" => ("到货通知", "Arrival notices"),
            "allocation" => ("分货", "Allocation"),
            "jobs" => ("定时任务", "Jobs"),
            "webhooks" => ("Webhook 推送", "Webhooks"),
            "calendar" => ("工作日历", "Business calendar"),
            "priorities" => ("区域优先级", "Region priorities"),
            "users" => ("用户", "Users"),
            "price_lists" => ("价格表", "Price lists"),
            "safety_stock" => ("安全库存", "Safety stock"),
            "price" => ("价格(元)", "Price (CNY)"),
            "quantity" => ("数量", "Quantity"),
            "login" => ("登录", "Log in"),
            "logout" => ("退出", "Log out"),
            "username" => ("用户名", "User name"),
            "password" => ("密码", "Password"),
            "search" => ("搜索", "Search"),
            "new" => ("新建", "New"),
            "edit" => ("编辑", "Edit"),
            "save" => ("保存", "Save"),
            "cancel" => ("取消", "Cancel"),
            "next_page" => ("下一页", "Next page"),
            "first_page" => ("第一页", "First page"),
            "history" => ("修改记录", "Change history"),
            "history_tab" => ("历史", "History"),
            "account" => ("资金信用账户", "Funds and credit account"),
            "line" => ("行", "Line"),
            "stage" => ("阶段", "Stage"),
            "when" => ("时间", "When"),
            "who" => ("操作人", "Who"),
            "action" => ("操作", "Action"),
            "field" => ("字段", "Field"),
            "before" => ("修改前", "Before"),
            "after" => ("修改后", "After"),
            "no_records" => ("没有记录", "No records"),
            "fix_errors" => ("请更正标出的字段", "Please correct the marked fields"),
            "bad_login" => ("用户名或密码错误", "Wrong user name or password"),
            "throttled" => (
                "失败次数过多,请稍后再试",
                "Too many failed attempts; try again later",
            ),
            "not_found" => ("页面不存在", "Page not found"),
            "forbidden" => ("没有权限", "Not allowed"),
            "invalid_input" => ("输入有误", "Invalid input"),
            "refused" => ("无法处理", "Cannot be done"),
            "unavailable" => (
                "系统暂时不可用,请稍后再试",
                "Service unavailable; try again shortly",
            ),
            "conflict" => (
                "记录已被他人修改,请重新打开后再改",
                "Someone else changed this record; reopen it and edit again",
            ),
            "saved" => ("已保存", "Saved"),
            "welcome" => ("欢迎", "Welcome"),
            "roles" => ("角色", "Roles"),
            "on_hand" => ("在库", "On hand"),
            "reserved" => ("已占用", "Reserved"),
            "available" => ("可用", "Available"),
            "date" => ("日期", "Date"),
            "kind" => ("类型", "Kind"),
            "name" => ("名称", "Name"),
            "rank" => ("顺序", "Rank"),
            "spring_summer" => ("春夏", "Spring/summer"),
            "autumn_winter" => ("秋冬", "Autumn/winter"),
            "holiday" => ("节假日", "Holiday"),
            "workday" => ("调休上班", "Make-up working day"),
            "export" => ("导出", "Export"),
            "api" => ("接口文档", "API"),
            "hidden" => ("(无权限查看)", "(hidden)"),
            "codes_hint" => (
                "每行一个区域编码,第一行优先",
                "One region code per line, first = served first",
            ),
            _ => ("?", "?"),
        };
        self.pick(zh, en)
    }
}
