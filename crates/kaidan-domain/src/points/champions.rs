//! Sales champions (SAL-4; seed 001 第十条: 年度、季度、月度销售冠军): the
//! reps who sold the most in a period on the scheme's basis; reps who sold
//! the same share the place.

use crate::{Money, UserId};

/// The places of a period: reps by what they sold, the most first, with
/// their place (1 for the champions); reps who sold nothing have none.
pub fn ranking(sales: &[(UserId, Money)]) -> Vec<(u32, UserId, Money)> {
    let mut v: Vec<(UserId, Money)> = sales
        .iter()
        .copied()
        .filter(|(_, m)| m.is_positive())
        .collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut out: Vec<(u32, UserId, Money)> = Vec::with_capacity(v.len());
    for (i, (rep, amount)) in v.into_iter().enumerate() {
        let place = match out.last() {
            Some((p, _, m)) if *m == amount => *p,
            _ => u32::try_from(i + 1).unwrap_or(u32::MAX),
        };
        out.push((place, rep, amount));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sal_4_champions_share_a_tie_and_the_next_place_skips() {
        let r = ranking(&[
            (UserId(1), Money::yuan(500)),
            (UserId(2), Money::yuan(900)),
            (UserId(3), Money::yuan(900)),
            (UserId(4), Money::ZERO),
            (UserId(5), Money::yuan(100)),
        ]);
        let places: Vec<(u32, i64)> = r.iter().map(|(p, u, _)| (*p, u.get())).collect();
        assert_eq!(places, [(1, 2), (1, 3), (3, 1), (4, 5)]);
    }
}
