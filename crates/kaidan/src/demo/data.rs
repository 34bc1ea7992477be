//! The demo company as plain data: fixed tables drawn from the seed
//! regulations plus a seeded pseudo-random generator, so every run produces
//! exactly the same records. Nothing here touches the database.
//! It is longer than our ~600-line rule because most of it is those tables
//! (regions, stores, products, the 2026 calendar), not logic.

use jiff::civil::{Date, date};
use kaidan_domain::Role;
use kaidan_domain::calendar::{CalendarDay, DayKind};
use kaidan_domain::master::Season;

/// splitmix64: tiny, fast and good enough to vary demo data; fixed seeds make
/// the output the same on every run and every platform.
#[derive(Debug, Clone)]
pub(super) struct SplitMix64(u64);

impl SplitMix64 {
    pub(super) fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub(super) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    pub(super) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = (hi - lo + 1).max(1) as u64;
        lo + (self.next_u64() % span) as i64
    }
}

/// A region: code, name, Chinese name as the regulations write it.
pub(super) struct Region {
    pub code: &'static str,
    pub name: &'static str,
    pub name_zh: &'static str,
}

const fn region(code: &'static str, name: &'static str, name_zh: &'static str) -> Region {
    Region {
        code,
        name,
        name_zh,
    }
}

/// Regions of the seed (003 §6.4.3.1), in the spring/summer order.
pub(super) const REGIONS: [Region; 10] = [
    region("AIRPORT", "机场区域", "机场"),
    region("SZ", "深圳区域", "深圳"),
    region("DG", "东莞区域", "东莞"),
    region("GZ", "广州区域", "广州"),
    region("SH", "上海区域", "上海"),
    region("BJ", "北京区域", "北京"),
    region("CD", "成都区域", "成都"),
    region("SY", "沈阳区域", "沈阳"),
    region("GY", "贵阳区域", "贵阳"),
    region("NN", "南宁区域", "南宁"),
];

/// ALC-6, seed 003 §6.4.3.1: spring/summer goods go from south to north,
/// 机场>深圳>东莞>广州>上海>北京>成都>沈阳>贵阳>南宁.
pub(super) const SPRING_SUMMER_ORDER: [&str; 10] = [
    "AIRPORT", "SZ", "DG", "GZ", "SH", "BJ", "CD", "SY", "GY", "NN",
];

/// ALC-6, seed 003 §6.4.3.1: autumn/winter goods go from north to south,
/// 机场>北京>上海>广州>东莞>深圳>成都>沈阳>贵阳. The seed leaves 南宁 off this
/// list, and so does the demo.
pub(super) const AUTUMN_WINTER_ORDER: [&str; 9] =
    ["AIRPORT", "BJ", "SH", "GZ", "DG", "SZ", "CD", "SY", "GY"];

pub(super) struct Warehouse {
    pub code: &'static str,
    pub name: &'static str,
    pub address: &'static str,
    pub is_central: bool,
}

pub(super) const CENTRAL_WAREHOUSE: &str = "WH-CENTRAL";

pub(super) const WAREHOUSES: [Warehouse; 4] = [
    Warehouse {
        code: CENTRAL_WAREHOUSE,
        name: "总仓",
        address: "广东省东莞市松山湖高新区工业南路8号",
        is_central: true,
    },
    Warehouse {
        code: "WH-SOUTH",
        name: "华南仓",
        address: "广东省广州市白云区物流园大道18号",
        is_central: false,
    },
    Warehouse {
        code: "WH-NORTH",
        name: "华北仓",
        address: "天津市武清区京津物流园6号",
        is_central: false,
    },
    // Where goods refused on delivery wait for inspection (SHP-3).
    Warehouse {
        code: "WH-QC",
        name: "退货隔离仓",
        address: "广东省东莞市松山湖高新区工业南路8号(总仓东侧)",
        is_central: false,
    },
];

pub(super) const PRICE_LIST_STANDARD: &str = "PL-STD";
pub(super) const PRICE_LIST_FRANCHISE: &str = "PL-FRANCHISE";
/// Franchisees buy at 85% of the list price.
pub(super) const FRANCHISE_PERCENT: i64 = 85;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sizing {
    /// S–XXL.
    Apparel,
    /// Shoe sizes 36–43.
    Shoes,
    /// 均码.
    OneSize,
}

struct Category {
    code: &'static str,
    name: &'static str,
    unit: &'static str,
    season: Season,
    /// List price in fen.
    price_fen: i64,
    sizing: Sizing,
}

const fn cat(
    code: &'static str,
    name: &'static str,
    unit: &'static str,
    season: Season,
    price_fen: i64,
    sizing: Sizing,
) -> Category {
    Category {
        code,
        name,
        unit,
        season,
        price_fen,
        sizing,
    }
}

use Season::{AutumnWinter as AW, None as NS, SpringSummer as SS};
use Sizing::{Apparel, OneSize, Shoes};

/// Ten styles per season; seven SKUs (colour × size) per style.
const CATEGORIES: [Category; 30] = [
    cat("TEE", "纯棉短袖T恤", "件", SS, 9900, Apparel),
    cat("POLO", "速干Polo衫", "件", SS, 15990, Apparel),
    cat("LINEN", "亚麻短袖衬衫", "件", SS, 22900, Apparel),
    cat("SHORTS", "休闲五分短裤", "条", SS, 12900, Apparel),
    cat("DRESS", "碎花连衣裙", "件", SS, 29900, Apparel),
    cat("UVJKT", "防晒皮肤衣", "件", SS, 19950, Apparel),
    cat("SANDAL", "轻便凉鞋", "双", SS, 17900, Shoes),
    cat("CANVAS", "低帮帆布鞋", "双", SS, 14900, Shoes),
    cat("STRAW", "草编遮阳帽", "个", SS, 6990, OneSize),
    cat("CROP", "棉麻九分裤", "条", SS, 18900, Apparel),
    cat("DOWN", "连帽羽绒服", "件", AW, 89900, Apparel),
    cat("COAT", "双面羊毛大衣", "件", AW, 129900, Apparel),
    cat("KNIT", "圆领针织毛衣", "件", AW, 32900, Apparel),
    cat("HOODIE", "加绒连帽卫衣", "件", AW, 25900, Apparel),
    cat("SHELL", "三合一冲锋衣", "件", AW, 69900, Apparel),
    cat("THERM", "加厚保暖长裤", "条", AW, 23950, Apparel),
    cat("BOOT", "复古马丁靴", "双", AW, 49900, Shoes),
    cat("SNOW", "防滑雪地靴", "双", AW, 39900, Shoes),
    cat("SCARF", "羊绒围巾", "条", AW, 35900, OneSize),
    cat("GLOVE", "触屏针织手套", "双", AW, 7900, OneSize),
    cat("JEAN", "直筒牛仔裤", "条", NS, 26900, Apparel),
    cat("SHIRT", "商务白衬衫", "件", NS, 19900, Apparel),
    cat("BLAZER", "休闲西装外套", "件", NS, 59900, Apparel),
    cat("RUN", "缓震跑步鞋", "双", NS, 45900, Shoes),
    cat("BELT", "头层牛皮皮带", "条", NS, 16900, OneSize),
    cat("PACK", "通勤双肩包", "个", NS, 28900, OneSize),
    cat("SOCK", "精梳棉中筒袜", "双", NS, 2990, OneSize),
    cat("WALLET", "短款真皮钱包", "个", NS, 21900, OneSize),
    cat("TOTE", "帆布托特包", "个", NS, 9950, OneSize),
    cat("CAP", "刺绣棒球帽", "个", NS, 8900, OneSize),
];

const COLOURS: [(&str, &str); 8] = [
    ("BK", "黑色"),
    ("WH", "白色"),
    ("NV", "藏青"),
    ("GY", "灰色"),
    ("KH", "卡其"),
    ("RD", "酒红"),
    ("BL", "雾蓝"),
    ("BE", "米白"),
];

/// One SKU.
#[derive(Debug, Clone)]
pub(super) struct Product {
    pub sku: String,
    pub name: String,
    pub spec: String,
    /// An EAN-13 bar code, set once the list is complete.
    pub barcode: String,
    /// 品类: its return and warranty periods (AFS-1).
    pub category: &'static str,
    pub unit: &'static str,
    pub season: Season,
    pub launch_priority: i32,
    pub list_price_fen: i64,
}

impl Product {
    pub(super) fn franchise_price_fen(&self) -> i64 {
        // Rounded half up to the fen.
        (self.list_price_fen * FRANCHISE_PERCENT + 50) / 100
    }

    /// The cost price (成本价): 48 % to 62 % of the list price by product,
    /// so the margin differs between products and customer kinds (KPI-5).
    pub(super) fn cost_price_fen(&self) -> i64 {
        let percent = 48 + i64::from(self.launch_priority.rem_euclid(15));
        (self.list_price_fen * percent + 50) / 100
    }
}

/// Two colours × sizes, or seven colours of a one-size item.
fn variants(sizing: Sizing, first_colour: usize) -> Vec<(usize, &'static str)> {
    let c0 = first_colour % COLOURS.len();
    let c1 = (first_colour + 3) % COLOURS.len();
    match sizing {
        Apparel => vec![
            (c0, "S"),
            (c0, "M"),
            (c0, "L"),
            (c0, "XL"),
            (c1, "M"),
            (c1, "L"),
            (c1, "XXL"),
        ],
        Shoes => vec![
            (c0, "39"),
            (c0, "40"),
            (c0, "41"),
            (c0, "42"),
            (c0, "43"),
            (c1, "36"),
            (c1, "37"),
        ],
        OneSize => (0..7).map(|i| ((c0 + i) % COLOURS.len(), "F")).collect(),
    }
}

fn season_prefix(s: Season) -> &'static str {
    match s {
        Season::SpringSummer => "SS26",
        Season::AutumnWinter => "AW26",
        Season::None => "CORE",
    }
}

/// 210 SKUs: a third spring/summer, a third autumn/winter, a third
/// all-season. Launch priorities run 1..=210 in launch-plan order: the
/// styles are interleaved across seasons the way a launch calendar mixes
/// them.
pub(super) fn products() -> Vec<Product> {
    let mut out = Vec::new();
    // Interleave: SS style 1, AW style 1, core style 1, SS style 2, ...
    let mut order = Vec::new();
    for i in 0..10 {
        order.extend([i, i + 10, i + 20]);
    }
    for &ci in &order {
        let Some(c) = CATEGORIES.get(ci) else {
            continue;
        };
        for (colour, size) in variants(c.sizing, ci) {
            let Some(&(colour_code, colour_name)) = COLOURS.get(colour) else {
                continue;
            };
            let size_label = match c.sizing {
                OneSize => "均码".to_string(),
                _ => size.to_string(),
            };
            // Large sizes of apparel cost ten yuan more.
            let price = if size == "XXL" {
                c.price_fen + 1000
            } else {
                c.price_fen
            };
            out.push(Product {
                sku: format!(
                    "{}-{}-{}-{}",
                    season_prefix(c.season),
                    c.code,
                    colour_code,
                    size
                ),
                name: format!("{}({colour_name})", c.name),
                spec: format!("颜色:{colour_name};尺码:{size_label}"),
                barcode: String::new(),
                category: match c.sizing {
                    Apparel => "服装",
                    Shoes => "鞋类",
                    OneSize => "配饰",
                },
                unit: c.unit,
                season: c.season,
                launch_priority: 0,
                list_price_fen: price,
            });
        }
    }
    for (i, p) in out.iter_mut().enumerate() {
        p.launch_priority = i32::try_from(i + 1).unwrap_or(i32::MAX);
        p.barcode = ean13(&format!("692{:09}", 345_000_000 + i));
    }
    out
}

/// Twelve digits and their EAN-13 check digit (weights 1 and 3 from the
/// left), as printed on the goods.
pub(super) fn ean13(twelve: &str) -> String {
    let sum: u32 = twelve
        .chars()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| if i % 2 == 0 { d } else { d * 3 })
        .sum();
    format!("{twelve}{}", (10 - sum % 10) % 10)
}

/// A customer row of the customers import.
#[derive(Debug, Clone)]
pub(super) struct Customer {
    pub code: String,
    pub name: String,
    pub kind: &'static str,
    pub contact_name: &'static str,
    pub contact_phone: String,
    pub contact_email: String,
    pub region: &'static str,
    pub tier: &'static str,
    pub priority: i32,
    pub payment_terms: &'static str,
    /// The days of net-days terms (净N天), empty for other terms.
    pub net_days: &'static str,
    pub payment_method: &'static str,
    /// Yuan.
    pub credit_limit: i64,
    pub price_list: &'static str,
    pub sales_rep: &'static str,
}

/// (name, region, contact, priority, credit limit in yuan). Fictional
/// companies; priorities are the pre-defined franchisee priorities of 003
/// §6.4.2.3 (region, importance, accumulated order volume).
const FRANCHISEES: [(&str, &str, &str, i32, i64); 20] = [
    ("深圳鹏程服饰有限公司", "SZ", "林志强", 1, 500_000),
    ("深圳前海尚品商贸有限公司", "SZ", "黄晓燕", 4, 300_000),
    ("深圳南山悦衣坊服装店", "SZ", "陈国华", 12, 120_000),
    ("东莞莞城锦绣服饰有限公司", "DG", "叶伟明", 6, 250_000),
    ("东莞虎门潮衣商贸有限公司", "DG", "邓丽华", 15, 80_000),
    ("广州天河丰采服饰有限公司", "GZ", "梁志伟", 2, 450_000),
    ("广州越秀衣尚贸易有限公司", "GZ", "何美玲", 9, 180_000),
    ("广州番禺新潮服装店", "GZ", "罗俊杰", 17, 60_000),
    ("上海静安雅致服饰有限公司", "SH", "沈嘉怡", 3, 400_000),
    ("上海浦东摩登商贸有限公司", "SH", "顾文斌", 7, 220_000),
    ("上海徐汇简衣坊服装店", "SH", "陆晓雯", 14, 90_000),
    ("北京朝阳京韵服饰有限公司", "BJ", "张振华", 5, 350_000),
    ("北京海淀启明商贸有限公司", "BJ", "李秀英", 10, 160_000),
    ("北京丰台锦衣阁服装店", "BJ", "王建军", 18, 50_000),
    ("成都锦江蓉城服饰有限公司", "CD", "杨雪梅", 8, 200_000),
    ("成都武侯天府衣坊服装店", "CD", "刘德明", 16, 70_000),
    ("沈阳和平盛京服饰有限公司", "SY", "赵德胜", 11, 150_000),
    ("贵阳云岩黔尚服饰有限公司", "GY", "吴晓峰", 19, 60_000),
    ("南宁青秀绿城服饰有限公司", "NN", "韦丽萍", 13, 100_000),
    ("南宁西乡塘邕州商贸有限公司", "NN", "覃志勇", 20, 50_000),
];

/// The franchisee finance holds in the demo (FIN-6): kept out of the
/// history and the allocation scenario, so its hold is all it shows.
pub(super) const HELD_CUSTOMER: &str = "FR-019";

/// ALC-3 importance of a demo customer: the first-ranked franchisees are
/// key accounts, the next ones important, the rest normal; other customers
/// are not graded.
pub(super) fn importance(c: &Customer) -> &'static str {
    match (c.kind, c.priority) {
        ("franchisee", 1..=5) => "key",
        ("franchisee", 6..=12) => "important",
        ("franchisee", _) => "normal",
        _ => "",
    }
}

/// Franchisees prepay or settle monthly: the terms the default review rules
/// allow for them (ReviewSettings::allowed_terms, ORD-4/FIN-2).
const PAYMENT_TERMS: [&str; 2] = ["prepayment", "monthly_settlement"];

pub(super) fn franchisees() -> Vec<Customer> {
    FRANCHISEES
        .iter()
        .enumerate()
        .map(|(i, &(name, region, contact, priority, credit))| {
            let n = i + 1;
            Customer {
                code: format!("FR-{n:03}"),
                name: name.to_string(),
                kind: "franchisee",
                contact_name: contact,
                contact_phone: format!("1380013{n:04}"),
                contact_email: format!("fr{n:03}@example.com"),
                region,
                tier: if credit >= 300_000 {
                    "A"
                } else if credit >= 120_000 {
                    "B"
                } else {
                    "C"
                },
                priority,
                payment_terms: PAYMENT_TERMS.get(i % 2).copied().unwrap_or("prepayment"),
                net_days: "",
                payment_method: if i % 5 == 4 {
                    "pos_card"
                } else {
                    "bank_transfer"
                },
                credit_limit: credit,
                price_list: PRICE_LIST_FRANCHISE,
                // Two of the allocation scenario's franchisees are the
                // second rep's, who is in no team: the sales manager's
                // team is not the whole company (issue 20).
                sales_rep: if matches!(n, 6 | 14) {
                    SECOND_REP.0
                } else {
                    "sales_rep"
                },
            }
        })
        .collect()
}

/// The direct-operated region of each region, as a customer that region
/// stock (区域备货) is ordered for, and a few business (团购) customers.
pub(super) fn other_customers() -> Vec<Customer> {
    let mut out: Vec<Customer> = REGIONS
        .iter()
        .enumerate()
        .map(|(i, r)| Customer {
            code: format!("DR-{}", r.code),
            name: format!("{}直营区域", r.name_zh),
            kind: "direct_region",
            contact_name: "",
            contact_phone: String::new(),
            contact_email: String::new(),
            region: r.code,
            tier: "",
            priority: i32::try_from(i + 1).unwrap_or(1),
            payment_terms: "monthly_settlement",
            net_days: "",
            payment_method: "bank_transfer",
            credit_limit: 0,
            price_list: PRICE_LIST_STANDARD,
            // The direct regions are the second rep's too.
            sales_rep: SECOND_REP.0,
        })
        .collect();
    // One business customer buys on net days (净45天, FIN-2), so the
    // terms, their due dates and the printed confirmation show at first
    // start.
    let business: [(&str, &str, &str, &str, i64); 4] = [
        ("星河科技有限公司", "SZ", "许文静", "net_days", 200_000),
        ("蓝海酒店管理有限公司", "GZ", "马超群", "prepayment", 0),
        (
            "锦程航空地面服务有限公司",
            "AIRPORT",
            "周立新",
            "monthly_settlement",
            300_000,
        ),
        ("青禾教育集团", "BJ", "唐慧敏", "cash_on_delivery", 50_000),
    ];
    for (i, (name, region, contact, terms, credit)) in business.into_iter().enumerate() {
        let n = i + 1;
        out.push(Customer {
            code: format!("BZ-{n:03}"),
            name: name.to_string(),
            kind: "business",
            contact_name: contact,
            contact_phone: format!("1390013{n:04}"),
            contact_email: format!("bz{n:03}@example.com"),
            region,
            tier: "",
            priority: i32::try_from(n).unwrap_or(1),
            payment_terms: terms,
            net_days: if terms == "net_days" { "45" } else { "" },
            payment_method: "bank_transfer",
            credit_limit: credit,
            price_list: PRICE_LIST_STANDARD,
            sales_rep: "sales_rep",
        });
    }
    out
}

#[derive(Debug, Clone)]
pub(super) struct Store {
    pub code: String,
    pub name: String,
    pub region: &'static str,
    pub ownership: &'static str,
    pub tier: &'static str,
    pub priority: i32,
}

/// Six stores per region (the airport stores carry their airport's name).
const STORE_NAMES: [(&str, [&str; 6]); 10] = [
    (
        "AIRPORT",
        [
            "深圳宝安机场T3店",
            "广州白云机场T2店",
            "上海浦东机场T2店",
            "北京首都机场T3店",
            "成都双流机场T2店",
            "沈阳桃仙机场T3店",
        ],
    ),
    (
        "SZ",
        [
            "深圳万象城店",
            "深圳海岸城店",
            "深圳益田假日广场店",
            "深圳卓悦中心店",
            "深圳欢乐海岸店",
            "深圳龙华壹方天地店",
        ],
    ),
    (
        "DG",
        [
            "东莞东城万达店",
            "东莞国贸中心店",
            "东莞松山湖万科店",
            "东莞汇一城店",
            "东莞虎门万达店",
            "东莞长安万科店",
        ],
    ),
    (
        "GZ",
        [
            "广州天河城店",
            "广州太古汇店",
            "广州正佳广场店",
            "广州北京路店",
            "广州番禺万达店",
            "广州白云万达店",
        ],
    ),
    (
        "SH",
        [
            "上海南京西路店",
            "上海淮海中路店",
            "上海徐家汇港汇店",
            "上海陆家嘴正大店",
            "上海五角场合生汇店",
            "上海七宝万科店",
        ],
    ),
    (
        "BJ",
        [
            "北京三里屯店",
            "北京西单大悦城店",
            "北京国贸商城店",
            "北京王府井店",
            "北京朝阳大悦城店",
            "北京五道口店",
        ],
    ),
    (
        "CD",
        [
            "成都春熙路店",
            "成都太古里店",
            "成都环球中心店",
            "成都万象城店",
            "成都来福士店",
            "成都凯德天府店",
        ],
    ),
    (
        "SY",
        [
            "沈阳中街店",
            "沈阳万象城店",
            "沈阳太原街万达店",
            "沈阳大悦城店",
            "沈阳兴隆大家庭店",
            "沈阳浑南万达店",
        ],
    ),
    (
        "GY",
        [
            "贵阳花果园店",
            "贵阳亨特国际店",
            "贵阳万象汇店",
            "贵阳荔星名店",
            "贵阳星力城店",
            "贵阳南明万达店",
        ],
    ),
    (
        "NN",
        [
            "南宁万象城店",
            "南宁航洋国际店",
            "南宁梦之岛店",
            "南宁青秀万达店",
            "南宁三街两巷店",
            "南宁会展中心店",
        ],
    ),
];

/// 60 stores: per region two A, two B and two C stores (priority 1 and 2
/// within the tier); the flagship stores are directly operated (直营), the
/// others alternate with affiliated ones (联营).
pub(super) fn stores() -> Vec<Store> {
    let mut out = Vec::new();
    for (region, names) in STORE_NAMES {
        for (i, name) in names.iter().enumerate() {
            let tier = match i {
                0 | 1 => "A",
                2 | 3 => "B",
                _ => "C",
            };
            out.push(Store {
                code: format!("ST-{region}-{:02}", i + 1),
                name: (*name).to_string(),
                region,
                ownership: if i % 2 == 0 { "direct" } else { "affiliated" },
                tier,
                priority: i32::try_from(i % 2 + 1).unwrap_or(1),
            });
        }
    }
    out
}

/// Safety stock of one store: indexes into `products()` and quantities.
/// A stores keep more products and more of each than C stores.
pub(super) fn safety_stock(store_index: usize, tier: &str, products: usize) -> Vec<(usize, i64)> {
    let mut rng = SplitMix64::new(0x5AFE_0000 + store_index as u64);
    let (count, lo, hi) = match tier {
        "A" => (rng.range(32, 40), 6, 20),
        "B" => (rng.range(26, 34), 4, 12),
        _ => (rng.range(20, 26), 2, 8),
    };
    // Partial Fisher–Yates: the first `count` of a shuffled index list.
    let mut idx: Vec<usize> = (0..products).collect();
    let count = usize::try_from(count).unwrap_or(0).min(products);
    for i in 0..count {
        let j = i + (rng.next_u64() % (products - i) as u64) as usize;
        idx.swap(i, j);
    }
    let mut picked: Vec<usize> = idx.into_iter().take(count).collect();
    picked.sort_unstable();
    picked.into_iter().map(|p| (p, rng.range(lo, hi))).collect()
}

/// Opening stock: (product index, warehouse code, quantity). The central
/// warehouse holds nine products in ten; the regional warehouses hold some
/// of their season's goods.
pub(super) fn opening_stock(products: &[Product]) -> Vec<(usize, &'static str, i64)> {
    let mut rng = SplitMix64::new(0x0057_0C4B);
    let mut out = Vec::new();
    for (i, p) in products.iter().enumerate() {
        let r = rng.next_u64();
        // Nine in ten in the central warehouse, one in four regionally.
        if r % 100 >= 10 {
            out.push((i, CENTRAL_WAREHOUSE, rng.range(4, 100) * 5));
        }
        let regional = match p.season {
            Season::SpringSummer => Some("WH-SOUTH"),
            Season::AutumnWinter => Some("WH-NORTH"),
            Season::None => None,
        };
        if let Some(w) = regional
            && (r >> 8) % 100 < 25
        {
            out.push((i, w, rng.range(2, 12) * 5));
        }
    }
    out
}

/// The display name of each role's demo user.
/// A second sales rep (username, name) beside the one of each role.
pub(super) const SECOND_REP: (&str, &str) = ("sales_rep_north", "业务员 赵北方");
/// A second order clerk (username, name): the history's orders are
/// entered by the two clerks in turn (KPI-6).
pub(super) const SECOND_CLERK: (&str, &str) = ("order_clerk_2", "开单员 小王");

pub(super) fn demo_display_name(role: Role) -> &'static str {
    match role {
        Role::Admin => "系统管理员 王强",
        Role::OrderClerk => "开单员 小李",
        Role::SalesRep => "业务员 张伟",
        Role::SalesManager => "销售经理 刘洋",
        Role::Finance => "财务 陈静",
        Role::Warehouse => "总仓 赵磊",
        Role::Logistics => "物流 孙涛",
        Role::BrandProduct => "品牌产品科 周敏",
        Role::ChannelBusiness => "渠道业务 吴婷",
        Role::Procurement => "采购 郑浩",
        Role::Legal => "法务 冯雪",
        Role::GeneralManager => "总经理 何建国",
        Role::Customer => "加盟商 深圳鹏程服饰",
        Role::CustomerAdmin => "加盟商管理员",
    }
}

/// The franchisee whose portal user `customer` is.
pub(super) const PORTAL_CUSTOMER: &str = "FR-001";

/// The 2026 public holidays and make-up working days (调休) as published by
/// the General Office of the State Council on 2025-11-04 (国办发明电
/// 《关于2026年部分节假日安排的通知》):
/// 元旦 1/1–1/3, work Sun 1/4; 春节 2/15–2/23, work Sat 2/14 and Sat 2/28;
/// 清明 4/4–4/6; 劳动节 5/1–5/5, work Sat 5/9; 端午 6/19–6/21;
/// 中秋 9/25–9/27; 国庆 10/1–10/7, work Sun 9/20 and Sat 10/10.
pub(super) fn calendar_2026() -> Vec<CalendarDay> {
    let holidays: [(&str, Date, Date); 7] = [
        ("元旦", date(2026, 1, 1), date(2026, 1, 3)),
        ("春节", date(2026, 2, 15), date(2026, 2, 23)),
        ("清明节", date(2026, 4, 4), date(2026, 4, 6)),
        ("劳动节", date(2026, 5, 1), date(2026, 5, 5)),
        ("端午节", date(2026, 6, 19), date(2026, 6, 21)),
        ("中秋节", date(2026, 9, 25), date(2026, 9, 27)),
        ("国庆节", date(2026, 10, 1), date(2026, 10, 7)),
    ];
    let workdays: [(&str, Date); 6] = [
        ("元旦调休", date(2026, 1, 4)),
        ("春节调休", date(2026, 2, 14)),
        ("春节调休", date(2026, 2, 28)),
        ("劳动节调休", date(2026, 5, 9)),
        ("国庆调休", date(2026, 9, 20)),
        ("国庆调休", date(2026, 10, 10)),
    ];
    let mut days = Vec::new();
    for (name, from, to) in holidays {
        let mut d = from;
        while d <= to {
            days.push(CalendarDay::new(d, DayKind::Holiday, name));
            match d.tomorrow() {
                Ok(next) => d = next,
                Err(_) => break,
            }
        }
    }
    for (name, d) in workdays {
        days.push(CalendarDay::new(d, DayKind::Workday, name));
    }
    days.sort_by_key(|d| d.date);
    days
}

/// Builds CSV text, quoting cells that need it.
pub(super) struct Csv(String);

impl Csv {
    pub(super) fn new(header: &[&str]) -> Self {
        let mut c = Csv(String::new());
        c.row(header.iter().copied());
        c
    }

    pub(super) fn row<'a>(&mut self, cells: impl IntoIterator<Item = &'a str>) {
        let mut first = true;
        for cell in cells {
            if !first {
                self.0.push(',');
            }
            first = false;
            if cell.contains([',', '"', '\n', '\r']) {
                self.0.push('"');
                self.0.push_str(&cell.replace('"', "\"\""));
                self.0.push('"');
            } else {
                self.0.push_str(cell);
            }
        }
        self.0.push('\n');
    }

    pub(super) fn into_bytes(self) -> Vec<u8> {
        self.0.into_bytes()
    }
}

/// Fen as a yuan amount with two decimals, as the import expects.
pub(super) fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}
