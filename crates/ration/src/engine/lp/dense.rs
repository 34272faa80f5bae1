//! Dense linear algebra the simplex needs: inverting the basis matrix.

/// The inverse of the square matrix `a` (row-major, `n × n`) by Gauss-Jordan elimination with
/// partial pivoting; `None` when it is singular to working precision.
pub fn invert(a: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut m = a.to_vec();
    let mut inv = vec![0.0; n * n];
    for i in 0..n {
        inv[i * n + i] = 1.0;
    }
    for col in 0..n {
        let pivot_row =
            (col..n).max_by(|&x, &y| m[x * n + col].abs().total_cmp(&m[y * n + col].abs()))?;
        let pivot = m[pivot_row * n + col];
        if pivot.abs() < 1e-12 {
            return None;
        }
        if pivot_row != col {
            for k in 0..n {
                m.swap(pivot_row * n + k, col * n + k);
                inv.swap(pivot_row * n + k, col * n + k);
            }
        }
        let scale = 1.0 / pivot;
        for k in 0..n {
            m[col * n + k] *= scale;
            inv[col * n + k] *= scale;
        }
        for row in 0..n {
            let factor = m[row * n + col];
            if row == col || factor == 0.0 {
                continue;
            }
            for k in 0..n {
                m[row * n + k] -= factor * m[col * n + k];
                inv[row * n + k] -= factor * inv[col * n + k];
            }
        }
    }
    Some(inv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverts_and_refuses_singular_matrices() {
        let inv = invert(&[4.0, 7.0, 2.0, 6.0], 2).unwrap_or_default();
        let expected = [0.6, -0.7, -0.2, 0.4];
        assert!(inv.iter().zip(expected).all(|(a, b)| (a - b).abs() < 1e-12));
        assert!(invert(&[1.0, 2.0, 2.0, 4.0], 2).is_none());
    }
}
