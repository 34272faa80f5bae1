//! Reading the answer off the final tableau: values, dual values, reduced costs and the cost
//! ranges over which the basis stays optimal, all unscaled back to the programme's units.

#![allow(
    clippy::float_cmp,
    reason = "bounds are compared exactly to tell fixed variables"
)]

use super::simplex::{At, Tableau};
use super::{Lp, PIVOT, Position, Solution, Status};

impl Tableau {
    pub(super) fn solution(
        &self,
        lp: &Lp,
        status: Status,
        iterations: usize,
        row_scale: &[f64],
        col_scale: &[f64],
    ) -> Solution {
        let n = lp.columns();
        let m = self.m;
        let w = self.width;
        let x: Vec<f64> = (0..n).map(|j| self.value[j] * col_scale[j]).collect();
        let row_activity: Vec<f64> = lp
            .rows
            .iter()
            .map(|row| {
                row.coefs
                    .iter()
                    .map(|&(j, a)| a * x.get(j).copied().unwrap_or(0.0))
                    .sum()
            })
            .collect();
        let position = |j: usize| match self.at[j] {
            At::Basic => Position::Basic,
            _ if self.lower[j] == self.upper[j] => Position::Fixed,
            At::Lower => Position::AtLower,
            At::Upper => Position::AtUpper,
        };
        let row_dual: Vec<f64> = (0..m)
            .map(|i| {
                if self.at[n + i] == At::Basic {
                    0.0
                } else {
                    self.d[n + i] * row_scale[i]
                }
            })
            .collect();
        let reduced_cost: Vec<f64> = (0..n)
            .map(|j| {
                if self.at[j] == At::Basic {
                    0.0
                } else {
                    self.d[j] / col_scale[j]
                }
            })
            .collect();
        let mut cost_range = vec![None; n];
        for (r, &k) in self.basis.iter().enumerate() {
            if k >= n {
                continue;
            }
            let row = &self.t[r * w..(r + 1) * w];
            let (mut low, mut high) = (f64::NEG_INFINITY, f64::INFINITY);
            for (j, &alpha) in row.iter().enumerate() {
                if self.at[j] == At::Basic || self.lower[j] == self.upper[j] || alpha.abs() < PIVOT
                {
                    continue;
                }
                let limit = self.d[j] / alpha;
                let caps_above = (self.at[j] == At::Lower) == (alpha > 0.0);
                if caps_above {
                    high = high.min(limit);
                } else {
                    low = low.max(limit);
                }
            }
            let scaled_cost = self.cost[k];
            cost_range[k] = Some((
                (scaled_cost + low.min(0.0)) / col_scale[k],
                (scaled_cost + high.max(0.0)) / col_scale[k],
            ));
        }
        Solution {
            status,
            objective: lp.cost.iter().zip(&x).map(|(c, v)| c * v).sum(),
            x,
            row_activity,
            row_dual,
            reduced_cost,
            col_position: (0..n).map(position).collect(),
            row_position: (n..n + m).map(position).collect(),
            cost_range,
            iterations,
        }
    }
}
