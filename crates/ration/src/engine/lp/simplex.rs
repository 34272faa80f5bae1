//! Bounded-variable dual simplex on a dense tableau.
//!
//! Every row gets a slack `s_i = a_i·x` bounded by the row's bounds, so the system is
//! `[A | −I] v = 0` with every variable boxed (possibly by infinity). The all-slack basis is
//! dual feasible whenever each column can sit at the bound its cost points to; a column whose
//! cost points to an infinite bound gets an artificial one (±1e9), and a solution resting on an
//! artificial bound means the programme is unbounded.
//!
//! Rows and columns are scaled so the largest coefficient of each is 1. Pivots pick the most
//! violated basic variable, then the smallest dual ratio with ties broken towards the largest
//! pivot; when the objective stops improving for a while, both choices fall back to Bland's
//! smallest-index rule, which cannot cycle. Before declaring an answer the basis is refactored
//! from the original data, so reported values carry no accumulated update error.

#![allow(
    clippy::float_cmp,
    clippy::needless_range_loop,
    reason = "bounds are compared exactly to tell fixed variables; parallel arrays are indexed together"
)]

use super::dense::invert;
use super::{FEASIBILITY, Lp, OPTIMALITY, PIVOT, Solution, Status};

const ARTIFICIAL: f64 = 1e9;
/// Pivots without progress before switching to Bland's rule.
const STALL_LIMIT: usize = 30;
const REFACTOR_EVERY: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum At {
    Basic,
    Lower,
    Upper,
}

pub(super) struct Tableau {
    pub(super) m: usize,
    pub(super) width: usize,
    /// Scaled `[A | −I]`, row-major `m × width`, kept to refactor from.
    pub(super) original: Vec<f64>,
    pub(super) t: Vec<f64>,
    pub(super) d: Vec<f64>,
    pub(super) cost: Vec<f64>,
    pub(super) lower: Vec<f64>,
    pub(super) upper: Vec<f64>,
    pub(super) artificial_lower: Vec<bool>,
    pub(super) artificial_upper: Vec<bool>,
    pub(super) basis: Vec<usize>,
    pub(super) at: Vec<At>,
    pub(super) value: Vec<f64>,
    /// The pivot row's nonzeros, reused from pivot to pivot.
    pub(super) nonzero: Vec<(usize, f64)>,
}

/// Solves `lp`. Never panics on any input; non-finite data is reported as infeasible.
pub fn solve(lp: &Lp) -> Solution {
    let n = lp.columns();
    let m = lp.rows.len();
    let (row_scale, col_scale) = scales(lp);
    let mut tab = Tableau::new(lp, &row_scale, &col_scale);
    let (status, iterations) = tab.run(10_000 + 50 * (n + m));
    tab.solution(lp, status, iterations, &row_scale, &col_scale)
}

fn scales(lp: &Lp) -> (Vec<f64>, Vec<f64>) {
    let n = lp.columns();
    let row_scale: Vec<f64> = lp
        .rows
        .iter()
        .map(|row| {
            let max = row.coefs.iter().map(|(_, a)| a.abs()).fold(0.0, f64::max);
            if max > 0.0 && max.is_finite() {
                1.0 / max
            } else {
                1.0
            }
        })
        .collect();
    let mut col_max = vec![0.0f64; n];
    for (row, r) in lp.rows.iter().zip(&row_scale) {
        for &(j, a) in &row.coefs {
            if j < n {
                col_max[j] = col_max[j].max((a * r).abs());
            }
        }
    }
    let col_scale = col_max
        .iter()
        .map(|&max| {
            if max > 0.0 && max.is_finite() {
                1.0 / max
            } else {
                1.0
            }
        })
        .collect();
    (row_scale, col_scale)
}

impl Tableau {
    fn new(lp: &Lp, row_scale: &[f64], col_scale: &[f64]) -> Self {
        let n = lp.columns();
        let m = lp.rows.len();
        let width = n + m;
        let mut original = vec![0.0; m * width];
        for (i, row) in lp.rows.iter().enumerate() {
            for &(j, a) in &row.coefs {
                if j < n {
                    original[i * width + j] += a * row_scale[i] * col_scale[j];
                }
            }
            original[i * width + n + i] = -1.0;
        }
        let mut cost = vec![0.0; width];
        let mut lower = vec![0.0; width];
        let mut upper = vec![0.0; width];
        for j in 0..n {
            cost[j] = lp.cost[j] * col_scale[j];
            lower[j] = lp.col_lower[j] / col_scale[j];
            upper[j] = lp.col_upper[j] / col_scale[j];
        }
        for (i, row) in lp.rows.iter().enumerate() {
            lower[n + i] = row.lower * row_scale[i];
            upper[n + i] = row.upper * row_scale[i];
        }
        let mut tab = Self {
            m,
            width,
            original,
            t: Vec::new(),
            d: Vec::new(),
            cost,
            lower,
            upper,
            artificial_lower: vec![false; width],
            artificial_upper: vec![false; width],
            basis: (n..width).collect(),
            at: vec![At::Lower; width],
            value: vec![0.0; width],
            nonzero: Vec::with_capacity(width),
        };
        for b in n..width {
            tab.at[b] = At::Basic;
        }
        // The all-slack basis is −I, so the first tableau is −[A | −I] and the reduced costs
        // are the costs: no factorisation needed.
        tab.t = tab.original.iter().map(|a| -a).collect();
        tab.d = tab.cost.clone();
        for j in 0..n {
            tab.place_dual_feasibly(j);
        }
        tab.recompute_values();
        tab
    }

    /// Puts nonbasic `j` at the bound its reduced cost asks for, inventing one if needed.
    fn place_dual_feasibly(&mut self, j: usize) {
        let wants_upper = self.d[j] < -OPTIMALITY
            || (self.d[j] <= OPTIMALITY
                && self.lower[j] == f64::NEG_INFINITY
                && self.upper[j].is_finite());
        if wants_upper {
            if !self.upper[j].is_finite() {
                self.upper[j] = ARTIFICIAL;
                self.artificial_upper[j] = true;
            }
            self.at[j] = At::Upper;
        } else {
            if !self.lower[j].is_finite() {
                self.lower[j] = -ARTIFICIAL;
                self.artificial_lower[j] = true;
            }
            self.at[j] = At::Lower;
        }
    }

    fn bound_value(&self, j: usize) -> f64 {
        match self.at[j] {
            At::Lower => self.lower[j],
            At::Upper => self.upper[j],
            At::Basic => self.value[j],
        }
    }

    /// Rebuilds the tableau and reduced costs from the original data for the current basis.
    fn refactor(&mut self) -> bool {
        let (m, w) = (self.m, self.width);
        let mut b = vec![0.0; m * m];
        for (r, &col) in self.basis.iter().enumerate() {
            for i in 0..m {
                b[i * m + r] = self.original[i * w + col];
            }
        }
        let Some(inv) = invert(&b, m) else {
            return false;
        };
        let mut t = vec![0.0; m * w];
        for r in 0..m {
            for k in 0..m {
                let f = inv[r * m + k];
                if f != 0.0 {
                    let (src, dst) = (
                        &self.original[k * w..(k + 1) * w],
                        &mut t[r * w..(r + 1) * w],
                    );
                    for (x, y) in dst.iter_mut().zip(src) {
                        *x += f * y;
                    }
                }
            }
        }
        self.t = t;
        let mut d = self.cost.clone();
        for (r, &col) in self.basis.iter().enumerate() {
            let c = self.cost[col];
            if c != 0.0 {
                for (dj, tj) in d.iter_mut().zip(&self.t[r * w..(r + 1) * w]) {
                    *dj -= c * tj;
                }
            }
        }
        self.d = d;
        true
    }

    fn recompute_values(&mut self) {
        let w = self.width;
        for j in 0..w {
            if self.at[j] != At::Basic {
                self.value[j] = self.bound_value(j);
            }
        }
        for r in 0..self.m {
            let row = &self.t[r * w..(r + 1) * w];
            let v: f64 = (0..w)
                .filter(|&j| self.at[j] != At::Basic)
                .map(|j| row[j] * self.value[j])
                .sum();
            self.value[self.basis[r]] = -v;
        }
    }

    fn infeasibility(&self, var: usize) -> f64 {
        let v = self.value[var];
        let tol = FEASIBILITY * (1.0 + v.abs().min(1e6));
        if v < self.lower[var] - tol {
            self.lower[var] - v
        } else if v > self.upper[var] + tol {
            v - self.upper[var]
        } else {
            0.0
        }
    }

    fn objective(&self) -> f64 {
        self.cost.iter().zip(&self.value).map(|(c, v)| c * v).sum()
    }

    fn run(&mut self, max_iterations: usize) -> (Status, usize) {
        if self
            .cost
            .iter()
            .chain(&self.original)
            .any(|v| !v.is_finite())
            || self
                .lower
                .iter()
                .zip(&self.upper)
                .any(|(l, u)| l > u || l.is_nan() || u.is_nan())
        {
            return (Status::Infeasible, 0);
        }
        let mut best = f64::NEG_INFINITY;
        let mut stall = 0;
        let mut refactors_at_end = 0;
        for iteration in 1..=max_iterations {
            let bland = stall >= STALL_LIMIT;
            let leaving = self.choose_leaving(bland);
            let Some(r) = leaving else {
                if self.consistent() {
                    return (self.finish(), iteration);
                }
                if refactors_at_end < 3 && self.refactor() {
                    refactors_at_end += 1;
                    self.recompute_values();
                    if self.choose_leaving(false).is_some() || self.fix_dual_signs() {
                        continue;
                    }
                }
                return (self.finish(), iteration);
            };
            let var = self.basis[r];
            let increase = self.value[var] < self.lower[var];
            let target = if increase {
                self.lower[var]
            } else {
                self.upper[var]
            };
            let Some(q) = self.choose_entering(r, increase, bland) else {
                // Make sure it is not an artefact of accumulated error before saying so.
                if refactors_at_end < 3 && self.refactor() {
                    refactors_at_end += 1;
                    self.recompute_values();
                    continue;
                }
                return (Status::Infeasible, iteration);
            };
            self.pivot(r, q, target);
            if iteration % REFACTOR_EVERY == 0 && self.refactor() {
                self.recompute_values();
            }
            let objective = self.objective();
            if objective > best + 1e-12 * (1.0 + best.abs()) {
                best = objective;
                stall = 0;
            } else {
                stall += 1;
            }
        }
        (Status::Infeasible, max_iterations)
    }

    /// Whether the updated values and reduced costs still agree with the original data: the
    /// rows' residuals `[A | −I] v` vanish and `c − yᵀA` matches the tableau's reduced costs
    /// (y is read off the slacks' reduced costs). Cheap (one pass over the data) compared with
    /// refactoring, which is only done when this fails.
    fn consistent(&self) -> bool {
        let (m, w) = (self.m, self.width);
        let n = w - m;
        for i in 0..m {
            let row = &self.original[i * w..(i + 1) * w];
            let (mut sum, mut scale) = (0.0f64, 1.0f64);
            for (a, v) in row.iter().zip(&self.value) {
                let term = a * v;
                sum += term;
                scale = scale.max(term.abs());
            }
            if sum.abs() > FEASIBILITY * scale {
                return false;
            }
        }
        let y = &self.d[n..];
        (0..n).all(|j| {
            let mut reduced = self.cost[j];
            let mut scale = 1.0f64.max(self.cost[j].abs());
            for i in 0..m {
                let term = y[i] * self.original[i * w + j];
                reduced -= term;
                scale = scale.max(term.abs());
            }
            (reduced - self.d[j]).abs() <= OPTIMALITY * scale
        })
    }

    /// Flips boxed nonbasic variables whose reduced cost has the wrong sign after a refactor;
    /// true when anything changed.
    fn fix_dual_signs(&mut self) -> bool {
        let mut changed = false;
        for j in 0..self.width {
            let wrong = match self.at[j] {
                At::Lower => self.d[j] < -OPTIMALITY * 100.0,
                At::Upper => self.d[j] > OPTIMALITY * 100.0,
                At::Basic => false,
            };
            if wrong {
                self.place_dual_feasibly(j);
                changed = true;
            }
        }
        if changed {
            self.recompute_values();
        }
        changed
    }

    fn finish(&self) -> Status {
        let rests_on_artificial = (0..self.width).any(|j| {
            (self.at[j] == At::Lower && self.artificial_lower[j])
                || (self.at[j] == At::Upper && self.artificial_upper[j])
        });
        let huge = self
            .basis
            .iter()
            .any(|&b| self.value[b].abs() >= ARTIFICIAL * 0.5);
        if rests_on_artificial || huge {
            Status::Unbounded
        } else {
            Status::Optimal
        }
    }

    /// The most violated basic variable by dual steepest edge: infeasibility² over the squared
    /// norm of its row of B⁻¹ (the tableau's slack columns), which measures the violation in
    /// the geometry of the dual and takes far fewer pivots than the largest raw violation.
    fn choose_leaving(&self, bland: bool) -> Option<usize> {
        let candidates = (0..self.m)
            .map(|r| (r, self.infeasibility(self.basis[r])))
            .filter(|(_, inf)| *inf > 0.0);
        if bland {
            return candidates
                .min_by_key(|(r, _)| self.basis[*r])
                .map(|(r, _)| r);
        }
        let n = self.width - self.m;
        candidates
            .map(|(r, inf)| {
                let row = &self.t[r * self.width + n..(r + 1) * self.width];
                let norm: f64 = row.iter().map(|b| b * b).sum();
                (r, inf * inf / norm.max(1e-12))
            })
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(r, _)| r)
    }

    fn choose_entering(&self, r: usize, increase: bool, bland: bool) -> Option<usize> {
        let row = &self.t[r * self.width..(r + 1) * self.width];
        let mut best: Option<(usize, f64, f64)> = None;
        for j in 0..self.width {
            let at = self.at[j];
            if at == At::Basic || self.lower[j] == self.upper[j] {
                continue;
            }
            let alpha = row[j];
            let eligible = match (increase, at) {
                (true, At::Lower) | (false, At::Upper) => alpha < -PIVOT,
                (true, At::Upper) | (false, At::Lower) => alpha > PIVOT,
                (_, At::Basic) => false,
            };
            if !eligible {
                continue;
            }
            let ratio = self.d[j].abs() / alpha.abs();
            let better = match best {
                None => true,
                Some((bj, br, ba)) => {
                    if ratio < br - 1e-12 {
                        true
                    } else if ratio <= br + 1e-12 {
                        if bland { j < bj } else { alpha.abs() > ba }
                    } else {
                        false
                    }
                }
            };
            if better {
                best = Some((j, ratio, alpha.abs()));
            }
        }
        best.map(|(j, ..)| j)
    }

    fn pivot(&mut self, r: usize, q: usize, target: f64) {
        let w = self.width;
        let alpha = self.t[r * w + q];
        let leaving = self.basis[r];
        let delta = (self.value[leaving] - target) / alpha;
        for i in 0..self.m {
            let f = self.t[i * w + q];
            if f != 0.0 {
                self.value[self.basis[i]] -= f * delta;
            }
        }
        self.value[q] += delta;
        self.value[leaving] = target;
        self.at[leaving] = if target == self.lower[leaving] {
            At::Lower
        } else {
            At::Upper
        };

        let inv = 1.0 / alpha;
        for x in &mut self.t[r * w..(r + 1) * w] {
            *x *= inv;
        }
        let (before, rest) = self.t.split_at_mut(r * w);
        let (pivot_row, after) = rest.split_at_mut(w);
        // Rows of ration problems are partly sparse: touch only the pivot row's nonzeros.
        self.nonzero.clear();
        self.nonzero.extend(
            pivot_row
                .iter()
                .copied()
                .enumerate()
                .filter(|(_, p)| *p != 0.0),
        );
        for other in before.chunks_exact_mut(w).chain(after.chunks_exact_mut(w)) {
            let f = other[q];
            if f != 0.0 {
                for &(k, p) in &self.nonzero {
                    other[k] -= f * p;
                }
            }
        }
        let dq = self.d[q];
        if dq != 0.0 {
            for &(k, p) in &self.nonzero {
                self.d[k] -= dq * p;
            }
        }
        self.basis[r] = q;
        self.at[q] = At::Basic;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::lp::Row;

    const INF: f64 = f64::INFINITY;

    fn lp(cost: &[f64], bounds: &[(f64, f64)], rows: &[(&[f64], f64, f64)]) -> Lp {
        Lp {
            cost: cost.to_vec(),
            col_lower: bounds.iter().map(|b| b.0).collect(),
            col_upper: bounds.iter().map(|b| b.1).collect(),
            rows: rows
                .iter()
                .map(|(a, l, u)| Row {
                    coefs: a.iter().copied().enumerate().collect(),
                    lower: *l,
                    upper: *u,
                })
                .collect(),
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-7
    }

    #[test]
    fn solves_a_diet_problem_with_duals() {
        // min 0.6a + 0.35b  s.t. 5a + 7b >= 8, 4a + 2b >= 15, 2a + b >= 3, a,b >= 0
        let p = lp(
            &[0.6, 0.35],
            &[(0.0, INF), (0.0, INF)],
            &[
                (&[5.0, 7.0], 8.0, INF),
                (&[4.0, 2.0], 15.0, INF),
                (&[2.0, 1.0], 3.0, INF),
            ],
        );
        let s = solve(&p);
        assert_eq!(s.status, Status::Optimal);
        assert!(close(s.objective, 2.25), "{}", s.objective);
        assert!(close(s.x[0], 3.75) && close(s.x[1], 0.0));
        assert!(close(s.row_dual[1], 0.15), "{:?}", s.row_dual);
        assert!(close(s.reduced_cost[1], 0.05), "{:?}", s.reduced_cost);
    }

    #[test]
    fn detects_infeasible_and_unbounded() {
        let infeasible = lp(&[1.0], &[(0.0, 1.0)], &[(&[1.0], 2.0, INF)]);
        assert_eq!(solve(&infeasible).status, Status::Infeasible);
        let unbounded = lp(&[-1.0], &[(0.0, INF)], &[(&[1.0], 1.0, INF)]);
        assert_eq!(solve(&unbounded).status, Status::Unbounded);
    }

    #[test]
    fn handles_upper_bounds_equalities_and_negative_costs() {
        // max a + b (min -a - b) s.t. a + b = 1 (total), a <= 0.3
        let p = lp(
            &[-1.0, -2.0],
            &[(0.0, 0.3), (0.0, INF)],
            &[(&[1.0, 1.0], 1.0, 1.0)],
        );
        let s = solve(&p);
        assert_eq!(s.status, Status::Optimal);
        assert!(close(s.objective, -2.0), "{}", s.objective);
    }

    #[test]
    fn survives_a_degenerate_cycling_example() {
        // Beale's example, which cycles under the textbook rule without safeguards.
        let p = lp(
            &[-0.75, 150.0, -0.02, 6.0],
            &[(0.0, INF); 4],
            &[
                (&[0.25, -60.0, -0.04, 9.0], -INF, 0.0),
                (&[0.5, -90.0, -0.02, 3.0], -INF, 0.0),
                (&[0.0, 0.0, 1.0, 0.0], -INF, 1.0),
            ],
        );
        let s = solve(&p);
        assert_eq!(s.status, Status::Optimal);
        assert!(close(s.objective, -0.05), "{}", s.objective);
    }
}
