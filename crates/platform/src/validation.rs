//! Collecting every invalid field of a request at once, then building validated domain values.
//!
//! ```ignore
//! let (username, email) = (
//!     field("username", Username::parse(&input.username)),
//!     field("email", Email::parse(&input.email)),
//! ).validate()?;
//! ```
//! A client sees all of its mistakes in one answer, and the code past `validate()` only ever
//! holds valid values.

use crate::{Error, FieldError};

/// The outcome of parsing one field.
pub type Checked<T> = Result<T, FieldError>;

/// Attaches a field name to the outcome of a parse whose error is a message.
pub fn field<T, E: std::fmt::Display>(name: &str, result: Result<T, E>) -> Checked<T> {
    result.map_err(|e| FieldError::new(name, e.to_string()))
}

/// Turns a tuple of [`Checked`] values into a tuple of values, or one 422 naming every bad field.
pub trait Validate {
    type Output;
    fn validate(self) -> Result<Self::Output, Error>;
}

macro_rules! impl_validate {
    ($($t:ident),+) => {
        impl<$($t),+> Validate for ($(Checked<$t>,)+) {
            type Output = ($($t,)+);
            #[allow(non_snake_case)]
            fn validate(self) -> Result<Self::Output, Error> {
                let ($($t,)+) = self;
                let mut errors = Vec::new();
                $( let $t = $t.map_err(|e| errors.push(e)); )+
                match ($($t,)+) {
                    ($(Ok($t),)+) => Ok(($($t,)+)),
                    _ => Err(Error::validation(errors)),
                }
            }
        }
    };
}

impl_validate!(A);
impl_validate!(A, B);
impl_validate!(A, B, C);
impl_validate!(A, B, C, D);
impl_validate!(A, B, C, D, E);
impl_validate!(A, B, C, D, E, F);
impl_validate!(A, B, C, D, E, F, G);
impl_validate!(A, B, C, D, E, F, G, H);

/// An optional field: absent stays absent, present must parse.
pub fn optional<T, E: std::fmt::Display>(
    name: &str,
    value: Option<Result<T, E>>,
) -> Checked<Option<T>> {
    value
        .transpose()
        .map_err(|e| FieldError::new(name, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_every_bad_field_at_once() {
        let result = (
            field("a", "1".parse::<u8>()),
            field("b", "x".parse::<u8>()),
            field("c", "y".parse::<u8>()),
        )
            .validate();
        let err = result.err().map(|e| {
            e.field_errors()
                .iter()
                .map(|f| f.field.clone())
                .collect::<Vec<_>>()
        });
        assert_eq!(err, Some(vec!["b".to_owned(), "c".to_owned()]));
    }

    #[test]
    fn gives_values_when_all_are_valid() {
        let result = (field("a", "1".parse::<u8>()), field("b", "2".parse::<u8>())).validate();
        assert_eq!(result.ok(), Some((1, 2)));
    }
}
