//! Quantities the requirement models trade in, kept apart by type: a body weight cannot be
//! passed where an energy is expected, nor a concentration where a daily amount is.

use serde::Serialize;

macro_rules! quantity {
    ($(#[$meta:meta])* $name:ident, $unit:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
        pub struct $name(pub f64);

        impl $name {
            /// The unit, as printed next to the number.
            pub const UNIT: &'static str = $unit;

            pub fn value(self) -> f64 {
                self.0
            }
        }

        impl std::ops::Add for $name {
            type Output = Self;
            fn add(self, other: Self) -> Self {
                Self(self.0 + other.0)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{:.3} {}", self.0, $unit)
            }
        }
    };
}

quantity!(
    /// Mass in kilograms (body weight, daily gain, milk, feed).
    Kg, "kg"
);
quantity!(
    /// Energy per day, megacalories.
    McalPerDay, "Mcal/d"
);
quantity!(
    /// Energy concentration, megacalories per kg of dry matter.
    McalPerKgDm, "Mcal/kg DM"
);
quantity!(
    /// Energy concentration, kilocalories per kg of feed as fed.
    KcalPerKg, "kcal/kg"
);
quantity!(
    /// A share in percent (of milk, of dry matter, of the diet).
    Percent, "%"
);
quantity!(
    /// A daily amount in grams (protein, minerals).
    GramsPerDay, "g/d"
);
quantity!(
    /// Dry-matter intake per day, kilograms.
    KgDmPerDay, "kg DM/d"
);
