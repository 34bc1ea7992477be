//! The allocation pages (分货, issue 5): preview or commit a run, the
//! result as tables (per franchisee, per product and every quantity with
//! its rule, bound and rank, ALC-10), the recorded runs with their Excel
//! export, and the chase list of franchisees with locked goods (ALC-5).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use kaidan_app::AppError;
use kaidan_app::allocation::queries::{AllocationNames, ResultLine};
use kaidan_app::allocation::run::{ChaseItem, RankingFacts};
use kaidan_app::ports::AllocationRunRow;
use kaidan_domain::allocation::{Allocation, Group, RunResult, Season, Unserved};
use kaidan_domain::{Permission, ProductId, RegionId, StoreId};

use super::format::local_time;
use super::{
    Chrome, Lang, OrPage, PageAuth, PageError, PageForm, PageId, PageResult, render, status_of,
};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/allocation", get(index))
        .route("/allocation/preview", post(preview))
        .route("/allocation/commit", post(commit))
        .route("/allocation/runs/{id}", get(run_page))
        .route("/allocation/locks", get(locks_page))
}

/// One franchisee's line of the summary table.
struct FranchiseeView {
    name: String,
    group: &'static str,
    position: u32,
    /// ALC-3's ranking facts as the run read them: predefined rank,
    /// importance and units ordered over the configured period.
    priority_rank: i64,
    importance: &'static str,
    cumulative_ordered: i64,
    /// Funds balance − committed, and credit limit − credit committed.
    funds: String,
    credit: String,
    money_available: String,
    money_left: String,
    allocated: String,
    locked: String,
}

/// One product's line of the summary table.
struct ProductView {
    name: String,
    supply: i64,
    franchisee_allocated: i64,
    franchisee_locked: i64,
    store_allocated: i64,
    region_allocated: i64,
    left_over: i64,
    unserved: i64,
}

/// One region's line of the per-region table: what its stores and its
/// replenishment plan got (ALC-6..8).
struct RegionView {
    name: String,
    /// Place in the run date's season list (ALC-6).
    position: usize,
    stores_served: usize,
    store_units: i64,
    store_unserved: i64,
    plan_units: i64,
    plan_unserved: i64,
}

/// One store's line of the per-store table.
struct StoreView {
    name: String,
    region: String,
    products: usize,
    units: i64,
    unserved: i64,
}

/// A result as the tables show it.
struct ResultView {
    run_date: String,
    lock_expires_on: String,
    franchisees: Vec<FranchiseeView>,
    products: Vec<ProductView>,
    regions: Vec<RegionView>,
    stores: Vec<StoreView>,
    /// Stores left off the per-store table (the export has their lines).
    stores_hidden: usize,
    lines: Vec<ResultLine>,
    outcome: Vec<&'static str>,
    to: Vec<&'static str>,
    /// Store and region lines left off the page (they are in the export).
    hidden: usize,
}

/// Store and region lines a page shows at most; every franchisee line is
/// shown. A run over many stores has thousands; the Excel export has all.
const STORE_LINES_ON_PAGE: usize = 300;

fn outcome_label(lang: Lang, outcome: &str) -> &'static str {
    match outcome {
        "allocated" => lang.pick("已分配", "Allocated"),
        "locked" => lang.pick("已锁定待付款", "Locked until paid"),
        _ => lang.pick("未满足", "Unserved"),
    }
}

fn to_label(lang: Lang, to: &str) -> &'static str {
    match to {
        "franchisee" => lang.pick("加盟商", "Franchisee"),
        "store" => lang.pick("店铺", "Store"),
        _ => lang.pick("区域", "Region"),
    }
}

/// The per-region and per-store tables: regions in the order of the run
/// date's season list, stores in the order they were first served.
fn region_and_store_views(
    result: &RunResult,
    names: &AllocationNames,
) -> (Vec<RegionView>, Vec<StoreView>, usize) {
    let list = match result.default_season {
        Season::AutumnWinter => &result.region_order.autumn_winter,
        _ => &result.region_order.spring_summer,
    };
    let position: HashMap<RegionId, usize> =
        list.iter().enumerate().map(|(i, r)| (*r, i + 1)).collect();
    let mut regions: BTreeMap<(usize, RegionId), RegionView> = BTreeMap::new();
    let region = |regions: &mut BTreeMap<(usize, RegionId), RegionView>, id: RegionId| {
        let at = position.get(&id).copied().unwrap_or(usize::MAX);
        // Regions off the list sort after it (usize::MAX), as in the run.
        let key = (at, id);
        regions.entry(key).or_insert_with(|| RegionView {
            name: names.region(id),
            position: at,
            stores_served: 0,
            store_units: 0,
            store_unserved: 0,
            plan_units: 0,
            plan_unserved: 0,
        });
        key
    };
    // store → (first seen, view, products served)
    let mut stores: HashMap<StoreId, (usize, StoreView, BTreeSet<ProductId>)> = HashMap::new();
    let store = |stores: &mut HashMap<StoreId, (usize, StoreView, BTreeSet<ProductId>)>,
                 id: StoreId,
                 in_region: RegionId| {
        let next = stores.len();
        stores.entry(id).or_insert_with(|| {
            (
                next,
                StoreView {
                    name: names.store(id),
                    region: names.region(in_region),
                    products: 0,
                    units: 0,
                    unserved: 0,
                },
                BTreeSet::new(),
            )
        });
    };
    for a in &result.allocations {
        match a {
            Allocation::Store(x) => {
                store(&mut stores, x.store, x.region);
                let first = stores
                    .get_mut(&x.store)
                    .map(|s| {
                        let first = s.2.is_empty();
                        s.1.units += x.quantity.get();
                        s.2.insert(x.product);
                        first
                    })
                    .unwrap_or(false);
                let key = region(&mut regions, x.region);
                if let Some(r) = regions.get_mut(&key) {
                    r.store_units += x.quantity.get();
                    r.stores_served += usize::from(first);
                }
            }
            Allocation::Region(x) => {
                let key = region(&mut regions, x.region);
                if let Some(r) = regions.get_mut(&key) {
                    r.plan_units += x.quantity.get();
                }
            }
            _ => {}
        }
    }
    for u in &result.unserved {
        match u {
            Unserved::Store(x) => {
                let key = region(&mut regions, x.region);
                if let Some(r) = regions.get_mut(&key) {
                    r.store_unserved += x.unserved.get();
                }
                store(&mut stores, x.store, x.region);
                if let Some(s) = stores.get_mut(&x.store) {
                    s.1.unserved += x.unserved.get();
                }
            }
            Unserved::Region(x) => {
                let key = region(&mut regions, x.region);
                if let Some(r) = regions.get_mut(&key) {
                    r.plan_unserved += x.unserved.get();
                }
            }
            _ => {}
        }
    }
    let mut served: Vec<_> = stores.into_values().collect();
    served.sort_by_key(|(first, _, _)| *first);
    let regions = regions.into_values().collect();
    let hidden = served.len().saturating_sub(STORE_LINES_ON_PAGE);
    let stores = served
        .into_iter()
        .take(STORE_LINES_ON_PAGE)
        .map(|(_, mut v, products)| {
            v.products = products.len();
            v
        })
        .collect();
    (regions, stores, hidden)
}

/// An importance as the pages write it (ALC-3); empty: not graded.
fn importance_label(
    lang: Lang,
    importance: Option<kaidan_domain::master::Importance>,
) -> &'static str {
    let Some(i) = importance else { return "" };
    super::fields::IMPORTANCE
        .iter()
        .find(|(v, _, _)| *v == i.as_str())
        .map(|(_, zh, en)| lang.pick(zh, en))
        .unwrap_or("")
}

fn result_view(
    lang: Lang,
    result: &RunResult,
    names: &AllocationNames,
    all_lines: Vec<ResultLine>,
    ranking: &[RankingFacts],
) -> ResultView {
    let facts: HashMap<_, _> = ranking.iter().map(|f| (f.id, f)).collect();
    let mut store_lines = 0;
    let mut hidden = 0;
    let mut lines = Vec::with_capacity(all_lines.len().min(2_000));
    for l in all_lines {
        if l.to != "franchisee" {
            store_lines += 1;
            if store_lines > STORE_LINES_ON_PAGE {
                hidden += 1;
                continue;
            }
        }
        lines.push(l);
    }
    let franchisees = result
        .franchisees
        .iter()
        .map(|f| FranchiseeView {
            name: names.franchisee(f.franchisee),
            group: match f.group {
                Group::Funded => lang.pick("有款", "Funded"),
                Group::Unfunded => lang.pick("无款", "Unfunded"),
            },
            position: f.position,
            priority_rank: f.priority_rank,
            importance: importance_label(lang, facts.get(&f.franchisee).and_then(|x| x.importance)),
            cumulative_ordered: facts.get(&f.franchisee).map_or(0, |x| x.cumulative_ordered),
            funds: f.available_funds.to_string(),
            credit: f.available_credit.to_string(),
            money_available: f
                .money_available
                .map(|m| m.to_string())
                .unwrap_or_else(|| "-".into()),
            money_left: f
                .money_left
                .map(|m| m.to_string())
                .unwrap_or_else(|| "-".into()),
            allocated: f.allocated_amount.to_string(),
            locked: f.locked_amount.to_string(),
        })
        .collect();
    let products = result
        .products
        .iter()
        .map(|p| ProductView {
            name: names.product(p.product),
            supply: p.supply.get(),
            franchisee_allocated: p.franchisee_allocated.get(),
            franchisee_locked: p.franchisee_locked.get(),
            store_allocated: p.store_allocated.get(),
            region_allocated: p.region_allocated.get(),
            left_over: p.left_over.get(),
            unserved: p.unserved.get(),
        })
        .collect();
    let (regions, stores, stores_hidden) = region_and_store_views(result, names);
    ResultView {
        regions,
        stores,
        stores_hidden,
        run_date: result.run_date.to_string(),
        lock_expires_on: result.lock_expires_on.to_string(),
        franchisees,
        products,
        outcome: lines
            .iter()
            .map(|l| outcome_label(lang, l.outcome))
            .collect(),
        to: lines.iter().map(|l| to_label(lang, l.to)).collect(),
        lines,
        hidden,
    }
}

/// The result of a run in tables, with the names from the database.
async fn view_of(
    s: &AppState,
    ctx: &kaidan_app::Ctx,
    lang: Lang,
    result: &RunResult,
    ranking: &[RankingFacts],
) -> Result<ResultView, AppError> {
    let names = s.app.allocation_names(ctx).await?;
    let lines = s.app.allocation_lines(ctx, result).await?;
    Ok(result_view(lang, result, &names, lines, ranking))
}

#[derive(Template)]
#[template(path = "allocation.html")]
struct IndexPage {
    title: String,
    chrome: Chrome,
    /// A preview's result.
    preview: Option<ResultView>,
    runs: Vec<AllocationRunRow>,
    run_at: Vec<String>,
    can_chase: bool,
    error: Option<String>,
}

async fn index_view(
    s: &AppState,
    PageAuth { ctx, chrome }: PageAuth,
    preview: Option<(RunResult, Vec<RankingFacts>)>,
    error: Option<String>,
) -> PageResult {
    let lang = chrome.lang;
    let runs = s.app.allocation_runs(&ctx).await.or_page(lang)?;
    let preview = match preview {
        Some((result, ranking)) => Some(
            view_of(s, &ctx, lang, &result, &ranking)
                .await
                .or_page(lang)?,
        ),
        None => None,
    };
    let status = status_of(&error);
    Ok(render(
        status,
        &IndexPage {
            title: lang.pick("分货", "Allocation").into(),
            run_at: runs.iter().map(|r| local_time(r.at)).collect(),
            can_chase: ctx.actor.can(Permission::AccountRead),
            runs,
            preview,
            error,
            chrome,
        },
    ))
}

/// GET /allocation
async fn index(State(s): State<AppState>, auth: PageAuth) -> PageResult {
    index_view(&s, auth, None, None).await
}

/// POST /allocation/preview: what a run would do now; nothing is written.
async fn preview(State(s): State<AppState>, PageForm(auth, _form): PageForm) -> PageResult {
    match s.app.run_allocation(&auth.ctx, false, "manual").await {
        Ok(o) => index_view(&s, auth, Some((o.result, o.ranking)), None).await,
        Err(AppError::Invalid(v)) => index_view(&s, auth, None, Some(v.to_string())).await,
        Err(e) => Err(PageError::new(auth.chrome.lang, e)),
    }
}

/// POST /allocation/commit: runs and records the allocation, then shows
/// the stored run.
async fn commit(State(s): State<AppState>, PageForm(auth, _form): PageForm) -> PageResult {
    match s.app.run_allocation(&auth.ctx, true, "manual").await {
        Ok(o) => match o.run {
            Some(run) => Ok(Redirect::to(&format!("/allocation/runs/{}", run.id)).into_response()),
            None => Ok(Redirect::to("/allocation").into_response()),
        },
        Err(AppError::Invalid(v)) => index_view(&s, auth, None, Some(v.to_string())).await,
        Err(e) => Err(PageError::new(auth.chrome.lang, e)),
    }
}

#[derive(Template)]
#[template(path = "allocation_run.html")]
struct RunPage {
    title: String,
    chrome: Chrome,
    run: AllocationRunRow,
    at: String,
    view: ResultView,
}

/// GET /allocation/runs/{id}: a stored run, the same tables (ALC-10).
async fn run_page(
    State(s): State<AppState>,
    PageAuth { ctx, chrome }: PageAuth,
    PageId(id): PageId,
) -> PageResult {
    let lang = chrome.lang;
    let (run, result) = s.app.allocation_run(&ctx, id).await.or_page(lang)?;
    let ranking = s.app.allocation_run_ranking(&ctx, id).await.or_page(lang)?;
    let view = view_of(&s, &ctx, lang, &result, &ranking)
        .await
        .or_page(lang)?;
    Ok(render(
        StatusCode::OK,
        &RunPage {
            title: format!("{} {}", lang.pick("分货批次", "Allocation run"), run.number),
            at: local_time(run.at),
            run,
            view,
            chrome,
        },
    ))
}

/// One lock of the chase list with its order and product.
struct LockView {
    order_id: i64,
    order: String,
    line_no: u32,
    product: String,
    quantity: i64,
    amount: String,
    expires_on: String,
}

#[derive(Template)]
#[template(path = "allocation_locks.html")]
struct LocksPage {
    title: String,
    chrome: Chrome,
    items: Vec<ChaseItem>,
    locks: Vec<Vec<LockView>>,
}

/// GET /allocation/locks: franchisees to ask for payment (ALC-5).
async fn locks_page(State(s): State<AppState>, PageAuth { ctx, chrome }: PageAuth) -> PageResult {
    let lang = chrome.lang;
    let items = s.app.lock_chase_list(&ctx).await.or_page(lang)?;
    let all: Vec<_> = items.iter().flat_map(|i| i.locks.iter().cloned()).collect();
    let labels = s
        .app
        .allocation_lock_labels(&ctx, &all)
        .await
        .or_page(lang)?;
    let locks = items
        .iter()
        .map(|i| {
            i.locks
                .iter()
                .map(|l| {
                    let (order, product) = labels.get(&l.id).cloned().unwrap_or_default();
                    LockView {
                        order_id: l.order_id.get(),
                        order,
                        line_no: l.line_no,
                        product,
                        quantity: l.quantity,
                        amount: l.unit_price.times(l.quantity).to_string(),
                        expires_on: l.expires_on.to_string(),
                    }
                })
                .collect()
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &LocksPage {
            title: lang.pick("锁货待付款", "Locked goods to chase").into(),
            items,
            locks,
            chrome,
        },
    ))
}
