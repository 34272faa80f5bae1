//! Points, distances and the geohash grid the nearby search walks. Pure: no I/O.
//!
//! Every located question stores the geohash cells holding it at two precisions: 6 (about
//! 0.6 × 1.0 km in Korea) for searches up to 5 km, 5 (about 4.9 × 4.1 km) for wider ones. A
//! search lists the cells that touch its circle, nearest first, and reads them in that order
//! until the page is full and no unread cell can hold anything nearer: k nearest neighbours on
//! a grid, never a scan.

use geohash::Coord;

/// Mean Earth radius (IUGG), in metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;
/// Metres per degree of latitude.
pub const METRES_PER_DEGREE: f64 = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;
/// The widest nearby search, in kilometres (issue 4).
pub const MAX_RADIUS_KM: f64 = 20.0;
/// Searches wider than this use the coarser cells.
const FINE_RADIUS_M: f64 = 5_000.0;

/// A valid WGS84 position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoPoint {
    lat: f64,
    lng: f64,
}

impl GeoPoint {
    /// Checks latitude (−90..=90) and longitude (−180..=180); the error names the bad one.
    pub fn new(lat: f64, lng: f64) -> Result<Self, (&'static str, String)> {
        if !(-90.0..=90.0).contains(&lat) {
            return Err(("lat", "must be between -90 and 90".to_owned()));
        }
        if !(-180.0..=180.0).contains(&lng) {
            return Err(("lng", "must be between -180 and 180".to_owned()));
        }
        Ok(Self { lat, lng })
    }

    /// A point read back from storage, where it was checked on the way in.
    pub fn new_unchecked(lat: f64, lng: f64) -> Self {
        Self { lat, lng }
    }

    pub fn lat(self) -> f64 {
        self.lat
    }

    pub fn lng(self) -> f64 {
        self.lng
    }

    /// Great-circle distance in metres (haversine).
    pub fn distance_m(self, other: GeoPoint) -> f64 {
        let (p1, p2) = (self.lat.to_radians(), other.lat.to_radians());
        let dp = p2 - p1;
        let dl = (other.lng - self.lng).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
    }

    /// The geohash cells holding this point: (precision 5, precision 6).
    pub fn cells(self) -> (String, String) {
        let coord = Coord {
            x: self.lng,
            y: self.lat,
        };
        // Encoding a checked point cannot fail; the fallbacks only keep this total.
        let fine = geohash::encode(coord, 6).unwrap_or_default();
        let coarse = fine.get(..5).unwrap_or_default().to_owned();
        (coarse, fine)
    }
}

/// Which stored cell column a search reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    Coarse,
    Fine,
}

impl Precision {
    fn length(self) -> usize {
        match self {
            Self::Coarse => 5,
            Self::Fine => 6,
        }
    }
}

/// One cell of a search, with the least distance from the centre to any point in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub hash: String,
    pub nearest_m: f64,
}

/// The cells touching a circle, nearest first.
#[derive(Debug, Clone)]
pub struct Cover {
    pub precision: Precision,
    pub cells: Vec<Cell>,
}

/// The cells that touch the circle of `radius_m` around `center`, nearest first.
pub fn cover(center: GeoPoint, radius_m: f64) -> Cover {
    let precision = if radius_m <= FINE_RADIUS_M {
        Precision::Fine
    } else {
        Precision::Coarse
    };
    let length = precision.length();
    let Ok(origin) = geohash::decode_bbox(
        &geohash::encode(
            Coord {
                x: center.lng,
                y: center.lat,
            },
            length,
        )
        .unwrap_or_default(),
    ) else {
        return Cover {
            precision,
            cells: Vec::new(),
        };
    };
    let (cell_h, cell_w) = (origin.height(), origin.width());
    let dlat = radius_m / METRES_PER_DEGREE;
    let dlng = radius_m / (METRES_PER_DEGREE * center.lat.to_radians().cos().max(0.01));
    let rows = ((dlat / cell_h).ceil() as i64).min(400);
    let cols = ((dlng / cell_w).ceil() as i64).min(400);
    let mut cells = Vec::new();
    for row in -rows..=rows {
        for col in -cols..=cols {
            let lat = origin.min().y + (row as f64 + 0.5) * cell_h;
            let lng = origin.min().x + (col as f64 + 0.5) * cell_w;
            if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lng) {
                continue;
            }
            let south = lat - cell_h / 2.0;
            let west = lng - cell_w / 2.0;
            let nearest = GeoPoint::new_unchecked(
                center.lat.clamp(south, south + cell_h),
                center.lng.clamp(west, west + cell_w),
            );
            let nearest_m = center.distance_m(nearest);
            if nearest_m <= radius_m
                && let Ok(hash) = geohash::encode(Coord { x: lng, y: lat }, length)
            {
                cells.push(Cell { hash, nearest_m });
            }
        }
    }
    cells.sort_by(|a, b| a.nearest_m.total_cmp(&b.nearest_m));
    Cover { precision, cells }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(lat: f64, lng: f64) -> GeoPoint {
        GeoPoint::new_unchecked(lat, lng)
    }

    #[test]
    fn bad_coordinates_name_their_field() {
        assert_eq!(GeoPoint::new(91.0, 0.0).err().map(|e| e.0), Some("lat"));
        assert_eq!(GeoPoint::new(0.0, 200.0).err().map(|e| e.0), Some("lng"));
        assert!(GeoPoint::new(33.5, 126.5).is_ok());
    }

    #[test]
    fn haversine_matches_known_distances() {
        // Jeju City hall to Seogwipo City hall: about 29.5 km.
        let d = point(33.4996, 126.5312).distance_m(point(33.2541, 126.5600));
        assert!((d - 27_400.0).abs() < 500.0, "{d}");
        assert!(point(33.5, 126.5).distance_m(point(33.5, 126.5)) < 1e-6);
    }

    #[test]
    fn a_cover_holds_the_centre_cell_first_and_only_cells_within_reach() {
        let center = point(33.4996, 126.5312);
        let cover = cover(center, 3_000.0);
        assert_eq!(cover.precision, Precision::Fine);
        assert_eq!(
            cover.cells.first().map(|c| c.hash.clone()),
            Some(center.cells().1)
        );
        assert!(cover.cells.iter().all(|c| c.nearest_m <= 3_000.0));
        assert!(
            cover
                .cells
                .windows(2)
                .all(|w| w[0].nearest_m <= w[1].nearest_m)
        );
        assert_eq!(super::cover(center, 20_000.0).precision, Precision::Coarse);
    }
}
