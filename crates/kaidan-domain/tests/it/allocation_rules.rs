//! Hand-computed scenarios, one or more per rule of ALLOCATION.md (ALC-1 to
//! ALC-8, ALC-10). The expected numbers are worked out in the comments.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::allocation_support;

use allocation_support::*;
use kaidan_domain::allocation::{
    Allocation, Bound, FranchiseeOrdering, Group, ProductSeason, Rank, Rule, Season, Tier,
};
use kaidan_domain::master::Importance;
use kaidan_domain::{CustomerId, Money, RegionId};

use Bound::*;
use ProductSeason::{AutumnWinter as AW, None as NS, SpringSummer as SS};

fn t(who: &str, product: i64, qty: i64) -> (String, i64, i64) {
    (who.to_owned(), product, qty)
}

fn s(who: &str, product: i64, qty: i64, bound: Bound) -> (String, i64, i64, Bound) {
    (who.to_owned(), product, qty, bound)
}

#[test]
fn alc_1_franchisees_are_served_before_stores_and_regions() {
    // Supply 10. The franchisee's 6 go first; the store needs 8 − 0 = 8 and
    // gets the 4 left; the region's replenishment need of 5 gets nothing.
    let r = Scenario::new("2024-04-02")
        .product(1, NS, 1, 10)
        .franchisee(1, 1, "1000", "0")
        .line(1, 1, 1, 6, "10", "2024-03-01")
        .region(1, "深圳")
        .store(10, 1, Tier::A, 1)
        .stock(10, 1, 8, 0)
        .need(1, 1, 5)
        .run();
    assert_eq!(trail(&r), vec![t("line 1", 1, 6), t("store 10", 1, 4)]);
    assert_eq!(
        shortfalls(&r),
        vec![
            s("store 10", 1, 4, SupplyExhausted),
            s("region 1", 1, 5, LowerPriority)
        ]
    );
    let p = &r.products[0];
    assert_eq!(
        (
            p.franchisee_allocated.get(),
            p.store_allocated.get(),
            p.region_allocated.get()
        ),
        (6, 4, 0)
    );
    assert_eq!(p.left_over.get(), 0);
}

#[test]
fn alc_2_funded_franchisees_come_before_unfunded_ones() {
    // Franchisee 1 has the better rank but no funds, only credit: it is
    // unfunded (credit alone does not fund). Franchisee 2 has 50 yuan of funds,
    // enough for its 5 units at 10: it takes all 5 units of supply.
    let r = Scenario::new("2024-04-02")
        .product(1, NS, 1, 5)
        .franchisee(1, 1, "0", "10000")
        .franchisee(2, 2, "50", "0")
        .line(1, 1, 1, 5, "10", "2024-03-01")
        .line(2, 2, 1, 5, "10", "2024-03-01")
        .run();
    assert_eq!(trail(&r), vec![t("line 2", 1, 5)]);
    assert_eq!(shortfalls(&r), vec![s("lock 1", 1, 5, LowerPriority)]);
    let groups: Vec<_> = r
        .franchisees
        .iter()
        .map(|f| (f.franchisee.get(), f.group, f.position))
        .collect();
    assert_eq!(groups, vec![(2, Group::Funded, 1), (1, Group::Unfunded, 1)]);
    assert_eq!(line_reason(&r, 2).unwrap().rule, Rule::FundedFranchisee);
}

#[test]
fn alc_2_funds_fully_committed_means_unfunded() {
    // Balance 100, of which 100 already committed: available funds 0, so the
    // franchisee is unfunded and gets a lock, not an allocation.
    let mut sc = Scenario::new("2024-04-02")
        .product(1, NS, 1, 5)
        .franchisee(1, 1, "100", "500")
        .line(1, 1, 1, 2, "10", "2024-03-01");
    sc.input.franchisees[0].funds_committed = money("100");
    let r = sc.run();
    assert_eq!(trail(&r), vec![t("lock 1", 1, 2)]);
    assert_eq!(r.franchisees[0].group, Group::Unfunded);
    assert_eq!(r.franchisees[0].available_funds, Money::ZERO);
}

/// Three funded franchisees each ordering 1 unit; supply 2.
fn three_funded(mode: FranchiseeOrdering) -> Scenario {
    Scenario::new("2024-04-02")
        .ordering(mode)
        .product(1, NS, 1, 2)
        // id 1: rank 2, funds 1000, oldest order Feb 1
        .franchisee(1, 2, "1000", "0")
        // id 2: rank 1, funds 10
        .franchisee(2, 1, "10", "0")
        // id 3: rank 2, funds 1000, oldest order Jan 1
        .franchisee(3, 2, "1000", "0")
        .line(1, 1, 1, 1, "1", "2024-02-01")
        .line(2, 2, 1, 1, "1", "2024-02-01")
        .line(3, 3, 1, 1, "1", "2024-01-01")
}

#[test]
fn alc_3_priority_mode_orders_funded_by_rank_then_oldest_order() {
    // Rank 1 (id 2) first; ids 1 and 3 tie on rank 2, id 3's oldest order
    // (Jan 1) is earlier than id 1's (Feb 1). Supply 2: id 2, id 3.
    let r = three_funded(FranchiseeOrdering::Priority).run();
    assert_eq!(trail(&r), vec![t("line 2", 1, 1), t("line 3", 1, 1)]);
    assert_eq!(shortfalls(&r), vec![s("line 1", 1, 1, LowerPriority)]);
    let order: Vec<_> = r.franchisees.iter().map(|f| f.franchisee.get()).collect();
    assert_eq!(order, vec![2, 3, 1]);
}

#[test]
fn alc_3_funds_mode_orders_funded_by_available_funds_larger_first() {
    // Funds: ids 1 and 3 have 1000, id 2 has 10. Tie 1/3 broken by oldest
    // order: id 3 first. Supply 2: id 3, id 1; id 2 is left short.
    let r = three_funded(FranchiseeOrdering::Funds).run();
    assert_eq!(trail(&r), vec![t("line 3", 1, 1), t("line 1", 1, 1)]);
    assert_eq!(shortfalls(&r), vec![s("line 2", 1, 1, LowerPriority)]);
    match line_reason(&r, 1).unwrap().rank {
        Rank::Franchisee {
            position,
            ordered_by,
            ..
        } => {
            assert_eq!(position, 2);
            assert_eq!(ordered_by, FranchiseeOrdering::Funds);
        }
        other => panic!("unexpected rank {other:?}"),
    }
}

#[test]
fn alc_3_full_ties_are_broken_by_franchisee_id() {
    // Same rank, same oldest order date: the smaller id first, whatever the
    // order of the input lists.
    let r = Scenario::new("2024-04-02")
        .product(1, NS, 1, 1)
        .franchisee(9, 1, "100", "0")
        .franchisee(4, 1, "100", "0")
        .line(1, 9, 1, 1, "1", "2024-02-01")
        .line(2, 4, 1, 1, "1", "2024-02-01")
        .run();
    assert_eq!(trail(&r), vec![t("line 2", 1, 1)]);
}

#[test]
fn alc_3_equal_ranks_go_by_importance_then_cumulative_ordered_quantity() {
    // All rank 1, id 5 has the oldest order. Importance first: the key
    // account (id 7) before the normal ones, an ungraded one (id 5) last
    // whatever its history; among the two normal ones the one that ordered
    // more over the period (id 8) first (ADR 0017). Unfunded franchisees
    // are ordered the same way.
    let mut sc = Scenario::new("2024-04-02")
        .product(1, NS, 1, 3)
        .franchisee(5, 1, "100", "0")
        .franchisee(6, 1, "100", "0")
        .franchisee(7, 1, "100", "0")
        .franchisee(8, 1, "100", "0")
        .line(1, 5, 1, 1, "1", "2024-01-01")
        .line(2, 6, 1, 1, "1", "2024-02-01")
        .line(3, 7, 1, 1, "1", "2024-03-01")
        .line(4, 8, 1, 1, "1", "2024-03-01");
    let facts = [
        (None, 90_000),
        (Some(Importance::Normal), 10),
        (Some(Importance::Key), 0),
        (Some(Importance::Normal), 500),
    ];
    for (f, (importance, cumulative)) in sc.input.franchisees.iter_mut().zip(facts) {
        f.importance = importance;
        f.cumulative_ordered = cumulative;
    }
    let funded = sc.clone().run();
    let order: Vec<_> = funded
        .franchisees
        .iter()
        .map(|f| f.franchisee.get())
        .collect();
    assert_eq!(order, vec![7, 8, 6, 5]);
    assert_eq!(shortfalls(&funded), vec![s("line 1", 1, 1, LowerPriority)]);
    for f in &mut sc.input.franchisees {
        f.funds_balance = Money::ZERO;
    }
    let unfunded = sc.run();
    let order: Vec<_> = unfunded
        .franchisees
        .iter()
        .map(|f| f.franchisee.get())
        .collect();
    assert_eq!(order, vec![7, 8, 6, 5]);
}

#[test]
fn alc_4_lines_in_launch_priority_then_order_date_then_line_id() {
    // Product 2 has launch priority 1, product 1 has 2. Product 2's lines:
    // line 3 (Mar 1), line 4 (Mar 1, larger id), line 2 (Mar 5); then line 1.
    let r = Scenario::new("2024-04-02")
        .product(1, NS, 2, 100)
        .product(2, NS, 1, 100)
        .franchisee(1, 1, "100000", "0")
        .line(1, 1, 1, 1, "1", "2024-01-01")
        .line(2, 1, 2, 1, "1", "2024-03-05")
        .line(3, 1, 2, 1, "1", "2024-03-01")
        .line(4, 1, 2, 1, "1", "2024-03-01")
        .run();
    assert_eq!(
        trail(&r),
        vec![
            t("line 3", 2, 1),
            t("line 4", 2, 1),
            t("line 2", 2, 1),
            t("line 1", 1, 1)
        ]
    );
    let positions: Vec<u32> = [3, 4, 2, 1]
        .iter()
        .map(|&l| match line_reason(&r, l).unwrap().rank {
            Rank::Franchisee { line_position, .. } => line_position,
            other => panic!("unexpected rank {other:?}"),
        })
        .collect();
    assert_eq!(positions, vec![1, 2, 3, 4]);
}

#[test]
fn alc_4_partial_up_to_funds_plus_credit() {
    // Funds 100 + credit 50 = 150; 10 units at 20 would cost 200.
    // floor(150 / 20) = 7 units = 140; 10 yuan left; 3 units unserved.
    // Funds first: 100 of funds, 40 of credit to commit.
    let r = Scenario::new("2024-04-02")
        .product(1, NS, 1, 100)
        .franchisee(1, 1, "100", "50")
        .line(1, 1, 1, 10, "20", "2024-03-01")
        .run();
    assert_eq!(trail(&r), vec![t("line 1", 1, 7)]);
    assert_eq!(shortfalls(&r), vec![s("line 1", 1, 3, MoneyExhausted)]);
    let Allocation::FranchiseeAllocation(a) = &r.allocations[0] else {
        panic!("expected a franchisee allocation");
    };
    assert_eq!(a.amount, money("140"));
    assert_eq!(a.reason.bound, MoneyExhausted);
    let f = &r.franchisees[0];
    assert_eq!(f.money_available, Some(money("150")));
    assert_eq!(f.allocated_amount, money("140"));
    assert_eq!(f.money_left, Some(money("10")));
    assert_eq!(
        (f.commit_funds, f.commit_credit),
        (money("100"), money("40"))
    );
}

#[test]
fn alc_4_cheaper_later_line_still_fits() {
    // Funds 100. Line 1: 5 × 30 → floor(100/30) = 3 (90), 10 left.
    // Line 2: 4 × 4 → floor(10/4) = 2 (8), 2 left. Line 3: 1 × 2 → 1, 0 left.
    let r = Scenario::new("2024-04-02")
        .product(1, NS, 1, 100)
        .product(2, NS, 2, 100)
        .product(3, NS, 3, 100)
        .franchisee(1, 1, "100", "0")
        .line(1, 1, 1, 5, "30", "2024-03-01")
        .line(2, 1, 2, 4, "4", "2024-03-01")
        .line(3, 1, 3, 1, "2", "2024-03-01")
        .run();
    assert_eq!(
        trail(&r),
        vec![t("line 1", 1, 3), t("line 2", 2, 2), t("line 3", 3, 1)]
    );
    assert_eq!(
        shortfalls(&r),
        vec![
            s("line 1", 1, 2, MoneyExhausted),
            s("line 2", 2, 2, MoneyExhausted)
        ]
    );
    assert_eq!(r.franchisees[0].money_left, Some(Money::ZERO));
}

#[test]
fn alc_4_exact_decimal_prices() {
    // 0.3 + 0.3 + 0.3 must be exactly 0.9: funds 0.9 buy 3 units at 0.3.
    let r = Scenario::new("2024-04-02")
        .product(1, NS, 1, 100)
        .franchisee(1, 1, "0.9", "0")
        .line(1, 1, 1, 5, "0.3", "2024-03-01")
        .run();
    assert_eq!(trail(&r), vec![t("line 1", 1, 3)]);
    assert_eq!(r.franchisees[0].money_left, Some(Money::ZERO));
}

#[test]
fn alc_4_free_line_is_not_bounded_by_money() {
    // Funds 90, no credit. Line 1 (product 1, launch 1): 10 × 30 →
    // floor(90 / 30) = 3 units = 90, 0 left, 7 unserved (money_exhausted).
    // Line 2 (product 2, launch 2) is free (赠品, price 0): money does not
    // bound it, so it gets min(6 open, 4 supply) = 4 although no money is
    // left; 2 unserved for supply. It adds 0 to the money used.
    let r = Scenario::new("2024-04-02")
        .product(1, NS, 1, 100)
        .product(2, NS, 2, 4)
        .franchisee(1, 1, "90", "0")
        .line(1, 1, 1, 10, "30", "2024-03-01")
        .line(2, 1, 2, 6, "0", "2024-03-01")
        .run();
    assert_eq!(trail(&r), vec![t("line 1", 1, 3), t("line 2", 2, 4)]);
    assert_eq!(
        shortfalls(&r),
        vec![
            s("line 1", 1, 7, MoneyExhausted),
            s("line 2", 2, 2, SupplyExhausted)
        ]
    );
    let Allocation::FranchiseeAllocation(free) = &r.allocations[1] else {
        panic!("expected a franchisee allocation");
    };
    assert_eq!((free.unit_price, free.amount), (Money::ZERO, Money::ZERO));
    assert_eq!(free.reason.rule, Rule::FundedFranchisee);
    let f = &r.franchisees[0];
    assert_eq!(f.allocated_amount, money("90"));
    assert_eq!(f.money_left, Some(Money::ZERO));
    assert_eq!(
        (f.commit_funds, f.commit_credit),
        (money("90"), Money::ZERO)
    );
}

#[test]
fn alc_4_free_line_of_a_funded_franchisee_with_no_money_left_is_served_in_full() {
    // Available funds 5 > 0, so funded; but credit limit 0 with 20 committed
    // makes money available max(0, 5 − 20) = 0 (ADR D3). The priced line gets
    // nothing (money_exhausted); the free line gets all 3 it asks for.
    let mut sc = Scenario::new("2024-04-02")
        .product(1, NS, 1, 10)
        .franchisee(1, 1, "5", "0")
        .line(1, 1, 1, 2, "1", "2024-03-01")
        .line(2, 1, 1, 3, "0", "2024-03-02");
    sc.input.franchisees[0].credit_committed = money("20");
    let r = sc.run();
    assert_eq!(r.franchisees[0].group, Group::Funded);
    assert_eq!(r.franchisees[0].money_available, Some(Money::ZERO));
    assert_eq!(trail(&r), vec![t("line 2", 1, 3)]);
    assert_eq!(shortfalls(&r), vec![s("line 1", 1, 2, MoneyExhausted)]);
    assert_eq!(line_reason(&r, 2).unwrap().bound, FullyServed);
}

#[test]
fn alc_5_free_line_of_an_unfunded_franchisee_is_locked() {
    // Supply 5. Funded id 2 (rank 2, funds 10) comes first although its rank
    // is worse: its free line of 2 is allocated. Unfunded id 1 (rank 1, funds
    // 0, credit only) gets a lock for min(4, 5 − 2 = 3) = 3 of its free line,
    // not an allocation: a free line does not make a franchisee funded.
    let r = Scenario::new("2024-04-02")
        .product(1, NS, 1, 5)
        .franchisee(1, 1, "0", "1000")
        .franchisee(2, 2, "10", "0")
        .line(1, 1, 1, 4, "0", "2024-03-01")
        .line(2, 2, 1, 2, "0", "2024-03-01")
        .run();
    assert_eq!(trail(&r), vec![t("line 2", 1, 2), t("lock 1", 1, 3)]);
    assert_eq!(shortfalls(&r), vec![s("lock 1", 1, 1, SupplyExhausted)]);
    let Allocation::FranchiseeLock(lock) = &r.allocations[1] else {
        panic!("expected a lock");
    };
    assert_eq!(lock.amount, Money::ZERO);
    assert_eq!(lock.expires_on, Some(date("2024-04-17")));
    assert_eq!(lock.reason.rule, Rule::UnfundedLock);
    let f1 = r
        .franchisees
        .iter()
        .find(|f| f.franchisee == CustomerId(1))
        .unwrap();
    assert_eq!(f1.group, Group::Unfunded);
    assert_eq!(f1.locked_amount, Money::ZERO);
}

#[test]
fn alc_5_unfunded_franchisees_get_locks_in_priority_order() {
    // Supply 10. Funded id 3 takes 4. Then locks: unfunded id 2 (rank 1)
    // gets its 4, id 1 (rank 2) the 2 left, with no money bound although it
    // has no money at all. Locks expire on 2024-04-02 + 15 days = 04-17.
    let r = Scenario::new("2024-04-02")
        .product(1, NS, 1, 10)
        .franchisee(1, 2, "0", "0")
        .franchisee(2, 1, "0", "0")
        .franchisee(3, 5, "1000", "0")
        .line(1, 1, 1, 4, "1000", "2024-03-01")
        .line(2, 2, 1, 4, "1000", "2024-03-01")
        .line(3, 3, 1, 4, "10", "2024-03-01")
        .run();
    assert_eq!(
        trail(&r),
        vec![t("line 3", 1, 4), t("lock 2", 1, 4), t("lock 1", 1, 2)]
    );
    assert_eq!(shortfalls(&r), vec![s("lock 1", 1, 2, SupplyExhausted)]);
    assert_eq!(r.lock_expires_on, date("2024-04-17"));
    for a in &r.allocations[1..] {
        let Allocation::FranchiseeLock(l) = a else {
            panic!("expected a lock, got {a:?}");
        };
        assert_eq!(l.expires_on, Some(date("2024-04-17")));
        assert_eq!(l.reason.rule, Rule::UnfundedLock);
        assert_eq!(l.reason.step, 4);
    }
    let f1 = r
        .franchisees
        .iter()
        .find(|f| f.franchisee == CustomerId(1))
        .unwrap();
    assert_eq!(f1.locked_amount, money("2000"));
    assert_eq!(f1.money_left, None);
}

#[test]
fn alc_5_lock_period_is_a_setting() {
    let r = Scenario::new("2024-12-28")
        .lock_days(7)
        .product(1, NS, 1, 1)
        .franchisee(1, 1, "0", "0")
        .line(1, 1, 1, 1, "1", "2024-12-01")
        .run();
    assert_eq!(r.lock_expires_on, date("2025-01-04"));
}

#[test]
fn alc_5_money_short_remainder_of_a_funded_franchisee_is_not_locked() {
    // Funded id 1 can pay 1 of its 4 units; the 3 others stay unserved
    // (money_exhausted): step 4 reserves stock for unfunded franchisees only,
    // so unfunded id 2 gets its lock of 5.
    let r = Scenario::new("2024-04-02")
        .product(1, NS, 1, 20)
        .franchisee(1, 1, "10", "0")
        .franchisee(2, 2, "0", "0")
        .line(1, 1, 1, 4, "10", "2024-03-01")
        .line(2, 2, 1, 5, "10", "2024-03-01")
        .run();
    assert_eq!(trail(&r), vec![t("line 1", 1, 1), t("lock 2", 1, 5)]);
    assert_eq!(shortfalls(&r), vec![s("line 1", 1, 3, MoneyExhausted)]);
    assert_eq!(r.products[0].left_over.get(), 14);
}

/// Regions 1 机场, 2 深圳, 3 北京, 4 南宁 (spring/summer list only),
/// 5 Zeta and 6 Alpha (on no list); each needs 1 unit of products 1 (spring/
/// summer) and 2 (autumn/winter).
fn six_regions(run_date: &str) -> Scenario {
    let mut sc = Scenario::new(run_date)
        .product(1, SS, 1, 100)
        .product(2, AW, 2, 100)
        .region(1, "机场")
        .region(2, "深圳")
        .region(3, "北京")
        .region(4, "南宁")
        .region(5, "Zeta")
        .region(6, "Alpha")
        .spring_summer(&[1, 2, 3, 4])
        .autumn_winter(&[1, 3, 2]);
    for region in 1..=6 {
        sc = sc.need(region, 1, 1).need(region, 2, 1);
    }
    sc
}

fn region_trail(r: &kaidan_domain::allocation::RunResult, product: i64) -> Vec<i64> {
    r.allocations
        .iter()
        .filter_map(|a| match a {
            Allocation::Region(x) if x.product.get() == product => Some(x.region.get()),
            _ => None,
        })
        .collect()
}

#[test]
fn alc_6_regions_in_the_season_list_of_the_product() {
    // Spring/summer product: 1, 2, 3, 4, then off-list by name: Alpha (6),
    // Zeta (5). Autumn/winter product: 1, 3, 2, then by name: Alpha (6),
    // Zeta (5), 北京 is listed, 南宁 (4) is not: names sort "Alpha" < "Zeta" <
    // "南宁".
    let r = six_regions("2024-04-02").run();
    assert_eq!(region_trail(&r, 1), vec![1, 2, 3, 4, 6, 5]);
    assert_eq!(region_trail(&r, 2), vec![1, 3, 2, 6, 5, 4]);
    let ids = |v: &[RegionId]| v.iter().map(|r| r.get()).collect::<Vec<_>>();
    assert_eq!(ids(&r.region_order.spring_summer), vec![1, 2, 3, 4, 6, 5]);
    assert_eq!(ids(&r.region_order.autumn_winter), vec![1, 3, 2, 6, 5, 4]);
    let nanning = r
        .allocations
        .iter()
        .find(|a| matches!(a, Allocation::Region(x) if x.product.get() == 2 && x.region.get() == 4))
        .unwrap();
    assert_eq!(
        nanning.reason().rank,
        Rank::Region {
            region_list: Season::AutumnWinter,
            region_position: 6,
            region_on_list: false
        }
    );
}

#[test]
fn alc_6_scarce_supply_goes_to_the_first_regions_of_the_list() {
    let mut sc = six_regions("2024-04-02");
    sc.input.supply[0].quantity = 2; // product 1
    sc.input.supply[1].quantity = 2; // product 2
    let r = sc.run();
    assert_eq!(region_trail(&r, 1), vec![1, 2]);
    assert_eq!(region_trail(&r, 2), vec![1, 3]);
}

#[test]
fn alc_6_non_seasonal_products_use_the_list_of_the_run_date_season() {
    let sc = |run_date: &str| {
        let mut sc = six_regions(run_date).product(3, NS, 3, 100);
        for region in 1..=6 {
            sc = sc.need(region, 3, 1);
        }
        sc
    };
    // April is spring/summer by default; October autumn/winter.
    let april = sc("2024-04-02").run();
    assert_eq!(april.default_season, Season::SpringSummer);
    assert_eq!(region_trail(&april, 3), vec![1, 2, 3, 4, 6, 5]);
    let october = sc("2024-10-02").run();
    assert_eq!(october.default_season, Season::AutumnWinter);
    assert_eq!(region_trail(&october, 3), vec![1, 3, 2, 6, 5, 4]);
    // The season calendar is data: with October in spring/summer, October
    // runs use the spring/summer list.
    let mut custom = sc("2024-10-02");
    custom.input.settings.spring_summer_months = vec![4, 5, 6, 7, 8, 9, 10];
    let custom = custom.run();
    assert_eq!(custom.default_season, Season::SpringSummer);
    assert_eq!(region_trail(&custom, 3), vec![1, 2, 3, 4, 6, 5]);
}

#[test]
fn alc_7_stores_by_tier_then_priority_then_id() {
    // Needs of 1 each; supply 4. Order: A/1/12, A/1/14, A/2/11, B/1/13, C/1/10.
    let mut sc = Scenario::new("2024-04-02")
        .product(1, SS, 1, 4)
        .region(1, "深圳")
        .store(10, 1, Tier::C, 1)
        .store(11, 1, Tier::A, 2)
        .store(12, 1, Tier::A, 1)
        .store(13, 1, Tier::B, 1)
        .store(14, 1, Tier::A, 1);
    for store in 10..=14 {
        sc = sc.stock(store, 1, 3, 2);
    }
    let r = sc.run();
    assert_eq!(
        trail(&r),
        vec![
            t("store 12", 1, 1),
            t("store 14", 1, 1),
            t("store 11", 1, 1),
            t("store 13", 1, 1)
        ]
    );
    assert_eq!(shortfalls(&r), vec![s("store 10", 1, 1, LowerPriority)]);
    let Some(kaidan_domain::allocation::Unserved::Store(short)) = r.unserved.first() else {
        panic!("expected a store shortfall");
    };
    assert_eq!(
        short.reason.rank,
        Rank::Store {
            region_list: Season::SpringSummer,
            region_position: 1,
            region_on_list: false,
            tier: Tier::C,
            store_position: 5
        }
    );
}

#[test]
fn alc_7_store_need_is_safety_minus_current_never_negative() {
    // Store 10 holds more than its safety stock: no need, no line at all.
    let r = Scenario::new("2024-04-02")
        .product(1, SS, 1, 10)
        .region(1, "深圳")
        .store(10, 1, Tier::A, 1)
        .store(11, 1, Tier::B, 1)
        .stock(10, 1, 3, 8)
        .stock(11, 1, 5, 2)
        .run();
    assert_eq!(trail(&r), vec![t("store 11", 1, 3)]);
    assert!(r.unserved.is_empty());
}

/// Regions 1 and 2 (list 1, 2); store 10 in region 1 and store 20 in region
/// 2 each need 3; each region needs 2 more. Supply 7.
fn two_regions(season: ProductSeason) -> Scenario {
    Scenario::new("2024-04-02")
        .product(1, season, 1, 7)
        .region(1, "深圳")
        .region(2, "北京")
        .spring_summer(&[1, 2])
        .autumn_winter(&[1, 2])
        .store(10, 1, Tier::A, 1)
        .store(20, 2, Tier::A, 1)
        .stock(10, 1, 3, 0)
        .stock(20, 1, 3, 0)
        .need(1, 1, 2)
        .need(2, 1, 2)
}

#[test]
fn alc_8_seasonal_product_region_by_region() {
    // Region 1: store 10 gets 3, then region 1 gets 2; region 2: store 20
    // gets the 2 left, region 2 nothing.
    let r = two_regions(SS).run();
    assert_eq!(
        trail(&r),
        vec![
            t("store 10", 1, 3),
            t("region 1", 1, 2),
            t("store 20", 1, 2)
        ]
    );
    assert_eq!(
        shortfalls(&r),
        vec![
            s("store 20", 1, 1, SupplyExhausted),
            s("region 2", 1, 2, LowerPriority)
        ]
    );
    assert!(
        r.allocations
            .iter()
            .all(|a| a.reason().rule != Rule::FundedFranchisee && a.reason().step == 5)
    );
}

#[test]
fn alc_8_non_seasonal_product_all_stores_first_then_regions() {
    // All stores first: store 10 gets 3, store 20 gets 3; then regions in
    // list order: region 1 gets the 1 left, region 2 nothing.
    let r = two_regions(NS).run();
    assert_eq!(
        trail(&r),
        vec![
            t("store 10", 1, 3),
            t("store 20", 1, 3),
            t("region 1", 1, 1)
        ]
    );
    assert_eq!(
        shortfalls(&r),
        vec![
            s("region 1", 1, 1, SupplyExhausted),
            s("region 2", 1, 2, LowerPriority)
        ]
    );
    let rules: Vec<Rule> = r.allocations.iter().map(|a| a.reason().rule).collect();
    assert_eq!(
        rules,
        vec![
            Rule::StoreSafetyStock,
            Rule::StoreSafetyStock,
            Rule::RegionReplenishment
        ]
    );
}

#[test]
fn alc_10_every_quantity_has_a_reason_and_claims_add_up() {
    // Product 1 has supply, product 2 none at all.
    let r = Scenario::new("2024-04-02")
        .product(1, NS, 1, 5)
        .product(2, NS, 2, 0)
        .franchisee(1, 1, "100", "0")
        .franchisee(2, 2, "0", "0")
        .line(1, 1, 1, 3, "10", "2024-03-01")
        .line(2, 1, 2, 3, "10", "2024-03-01")
        .line(3, 2, 1, 4, "10", "2024-03-01")
        .region(1, "深圳")
        .store(10, 1, Tier::A, 1)
        .stock(10, 1, 2, 0)
        .stock(10, 2, 2, 0)
        .run();
    assert_eq!(trail(&r), vec![t("line 1", 1, 3), t("lock 3", 1, 2)]);
    assert_eq!(
        shortfalls(&r),
        vec![
            s("line 2", 2, 3, NoSupply),
            s("lock 3", 1, 2, SupplyExhausted),
            s("store 10", 1, 2, LowerPriority),
            s("store 10", 2, 2, NoSupply)
        ]
    );
    for a in &r.allocations {
        let reason = a.reason();
        assert_eq!(reason.step, reason.rule.step());
    }
    assert_eq!(line_reason(&r, 1).unwrap().bound, FullyServed);
    // The JSON form carries rule, step, bound and rank.
    let json = serde_json::to_value(&r).unwrap();
    let reason = &json["unserved"][0]["reason"];
    assert_eq!(reason["rule"], "ALC-2 funded franchisee");
    assert_eq!(reason["step"], 3);
    assert_eq!(reason["bound"], "no_supply");
    assert_eq!(reason["rank"]["of"], "franchisee");
    assert_eq!(reason["rank"]["position"], 1);
    assert_eq!(reason["rank"]["line_position"], 2);
}

#[test]
fn alc_10_result_json_round_trips() {
    let r = two_regions(SS).run();
    let text = kaidan_domain::allocation::result_json(&r).unwrap();
    let back: kaidan_domain::allocation::RunResult = serde_json::from_str(&text).unwrap();
    assert_eq!(back, r);
    assert!(text.ends_with("}\n"));
}
