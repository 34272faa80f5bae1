//! Points, distances and the geohash grid the nearby search walks. Pure: no I/O.
//!
//! Every located question stores the geohash cells holding it at three precisions (7, 6 and 5:
//! about 150 m, 1 km and 5 km across in Korea). A search walks rings of cells around its
//! centre, finest first, and stops once the page is full and no unread ring can hold anything
//! nearer: k nearest neighbours on a grid, never a scan. Where the finest rings hold too little
//! (the countryside) it moves to coarser cells, so a sparse area costs few reads too.

use geohash::Coord;

/// Mean Earth radius (IUGG), in metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;
/// Metres per degree of latitude.
pub const METRES_PER_DEGREE: f64 = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;
/// The widest nearby search, in kilometres (issue 4).
pub const MAX_RADIUS_KM: f64 = 20.0;

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
        Placed::new(self).distance_m(Placed::new(other))
    }

    /// The geohash cells holding this point, at precisions 5, 6 and 7.
    pub fn cells(self) -> [String; 3] {
        let coord = Coord {
            x: self.lng,
            y: self.lat,
        };
        // Encoding a checked point cannot fail; the fallback only keeps this total.
        let finest = geohash::encode(coord, 7).unwrap_or_default();
        let prefix = |n: usize| finest.get(..n).unwrap_or_default().to_owned();
        [prefix(5), prefix(6), finest]
    }
}

/// A point with the cosine of its latitude worked out once: a nearby search measures hundreds
/// of candidates against one centre, and that cosine was a third of its trigonometry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placed {
    /// Latitude in radians.
    lat: f64,
    /// Longitude in degrees.
    lng: f64,
    cos_lat: f64,
}

impl Placed {
    pub fn new(point: GeoPoint) -> Self {
        let lat = point.lat.to_radians();
        Self {
            lat,
            lng: point.lng,
            cos_lat: lat.cos(),
        }
    }

    /// Great-circle distance in metres (haversine).
    pub fn distance_m(self, other: Placed) -> f64 {
        let dp = other.lat - self.lat;
        let dl = (other.lng - self.lng).to_radians();
        let a = (dp / 2.0).sin().powi(2) + self.cos_lat * other.cos_lat * (dl / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
    }
}

/// A geohash precision a question's cells are stored at, finest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    /// About 150 × 120 m in Korea.
    Seven,
    /// About 0.6 × 1.0 km.
    Six,
    /// About 4.9 × 4.1 km.
    Five,
}

impl Precision {
    pub fn length(self) -> usize {
        match self {
            Self::Seven => 7,
            Self::Six => 6,
            Self::Five => 5,
        }
    }

    /// The precision of the blocks cells of this one are cached in (see [`crate::blocks`]).
    #[must_use]
    pub fn block(self) -> Self {
        match self {
            Self::Seven => Self::Six,
            Self::Six | Self::Five => Self::Five,
        }
    }

    /// The next coarser precision, if any.
    fn coarser(self) -> Option<Self> {
        match self {
            Self::Seven => Some(Self::Six),
            Self::Six => Some(Self::Five),
            Self::Five => None,
        }
    }
}

/// Rings walked at one precision before a search moves to the next coarser one: a sparse
/// neighbourhood is cheaper to read in bigger cells.
const RINGS_PER_PRECISION: i64 = 6;

/// One cell of a search, with the least distance from the centre to any point in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub hash: String,
    pub nearest_m: f64,
}

/// The grid of one precision around a search's centre, walked ring by ring: ring `k` holds
/// the cells `k` steps away (8k cells, 1 for the centre's own).
#[derive(Debug, Clone, Copy)]
pub struct Grid {
    pub precision: Precision,
    center: GeoPoint,
    radius_m: f64,
    /// South-west corner and size, in degrees, of the centre's cell.
    south: f64,
    west: f64,
    height: f64,
    width: f64,
}

impl Grid {
    /// The finest grid a search around `center` starts on.
    pub fn start(center: GeoPoint, radius_m: f64) -> Self {
        Self::at(center, radius_m, Precision::Seven)
    }

    fn at(center: GeoPoint, radius_m: f64, precision: Precision) -> Self {
        let coord = Coord {
            x: center.lng,
            y: center.lat,
        };
        let cell = geohash::encode(coord, precision.length())
            .ok()
            .and_then(|h| geohash::decode_bbox(&h).ok());
        let (south, west, height, width) = cell.map_or((center.lat, center.lng, 0.0, 0.0), |r| {
            (r.min().y, r.min().x, r.height(), r.width())
        });
        Self {
            precision,
            center,
            radius_m,
            south,
            west,
            height,
            width,
        }
    }

    /// The next coarser grid, once `RINGS_PER_PRECISION` (six) rings here found too little.
    pub fn coarser(self, rings_walked: i64) -> Option<Self> {
        if rings_walked < RINGS_PER_PRECISION {
            return None;
        }
        self.precision
            .coarser()
            .map(|p| Self::at(self.center, self.radius_m, p))
    }

    /// The cells of ring `k` within the search radius, nearest first; `None` once no cell of
    /// ring `k` or beyond can be within it.
    pub fn ring(&self, k: i64) -> Option<Vec<Cell>> {
        if self.height <= 0.0 {
            return None;
        }
        let mut cells = Vec::with_capacity(8 * k.max(1) as usize);
        let mut any_within = false;
        for row in -k..=k {
            for col in -k..=k {
                if row.abs() != k && col.abs() != k {
                    continue;
                }
                let south = self.south + row as f64 * self.height;
                let west = self.west + col as f64 * self.width;
                if south < -90.0
                    || south + self.height > 90.0
                    || west < -180.0
                    || west + self.width > 180.0
                {
                    continue;
                }
                let nearest = GeoPoint::new_unchecked(
                    self.center.lat.clamp(south, south + self.height),
                    self.center.lng.clamp(west, west + self.width),
                );
                let nearest_m = self.center.distance_m(nearest);
                if nearest_m > self.radius_m {
                    continue;
                }
                any_within = true;
                let middle = Coord {
                    x: west + self.width / 2.0,
                    y: south + self.height / 2.0,
                };
                if let Ok(hash) = geohash::encode(middle, self.precision.length()) {
                    cells.push(Cell { hash, nearest_m });
                }
            }
        }
        if !any_within {
            return None;
        }
        cells.sort_by(|a, b| a.nearest_m.total_cmp(&b.nearest_m));
        Some(cells)
    }
}

/// A k-nearest-neighbours search over the grid, without I/O: it says which cells to read
/// next, is handed their points, and decides when nothing unread can be nearer.
///
/// The first read takes the centre cell and the ring around it (in a town a page fills there:
/// a cell holds a dozen questions or more), later reads one ring each. The search ends when it
/// holds `need` points no farther than the nearest unread cell, when no ring within the radius
/// is left, or, after six rings on a grid without enough points, starts over on the next
/// coarser grid.
#[derive(Debug)]
pub struct Nearest<T> {
    center: Placed,
    need: usize,
    grid: Grid,
    /// Rings read so far on this grid.
    rings: i64,
    found: Vec<(f64, T)>,
    done: bool,
}

impl<T: Copy> Nearest<T> {
    pub fn new(center: GeoPoint, radius_m: f64, need: usize) -> Self {
        Self {
            center: Placed::new(center),
            need: need.max(1),
            grid: Grid::start(center, radius_m),
            rings: 0,
            found: Vec::new(),
            done: false,
        }
    }

    /// The cells to read next and their precision; `None` once the search is complete.
    pub fn next_cells(&mut self) -> Option<(Precision, Vec<Cell>)> {
        if self.done {
            return None;
        }
        let upto = self.rings.max(1);
        let mut cells = Vec::new();
        while self.rings <= upto {
            let Some(ring) = self.grid.ring(self.rings) else {
                // Nothing within the radius beyond this: what is handed over next is all.
                self.done = true;
                break;
            };
            cells.extend(ring);
            self.rings += 1;
        }
        Some((self.grid.precision, cells))
    }

    /// Hands over the points of the cells last asked for.
    pub fn offer(&mut self, points: impl IntoIterator<Item = (T, Placed)>) {
        let radius_m = self.grid.radius_m;
        for (item, at) in points {
            let d = self.center.distance_m(at);
            if d <= radius_m {
                self.found.push((d, item));
            }
        }
        if self.done {
            return;
        }
        let Some(nearest_unread) = self
            .grid
            .ring(self.rings)
            .and_then(|r| r.first().map(|c| c.nearest_m))
        else {
            self.done = true;
            return;
        };
        let need = self.need;
        if self.found.len() >= need {
            self.found
                .select_nth_unstable_by(need - 1, |a, b| a.0.total_cmp(&b.0));
            self.found.truncate(need);
            // A metre of slack covers the flat-rectangle bound on a curved Earth.
            if self.found[need - 1].0 <= nearest_unread - 1.0 {
                self.done = true;
                return;
            }
        }
        if let Some(coarser) = self.grid.coarser(self.rings) {
            self.grid = coarser;
            self.rings = 0;
            self.found.clear();
        }
    }

    /// What was found, nearest first, at most `need`.
    pub fn finish(mut self) -> Vec<(f64, T)> {
        self.found.sort_by(|a, b| a.0.total_cmp(&b.0));
        self.found.truncate(self.need);
        self.found
    }
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
    fn rings_start_at_the_centre_cell_and_stay_within_reach() {
        let center = point(33.4996, 126.5312);
        let grid = Grid::start(center, 3_000.0);
        let own = grid.ring(0).unwrap_or_default();
        assert_eq!(
            own.iter().map(|c| c.hash.clone()).collect::<Vec<_>>(),
            vec![center.cells()[2].clone()]
        );
        let first = grid.ring(1).unwrap_or_default();
        assert_eq!(first.len(), 8);
        assert!(first.windows(2).all(|w| w[0].nearest_m <= w[1].nearest_m));
        assert!(
            grid.ring(40).is_none(),
            "40 rings of 150 m cells are beyond 3 km"
        );
        assert!(grid.coarser(2).is_none());
        assert_eq!(grid.coarser(6).map(|g| g.precision), Some(Precision::Six));
    }
}

#[cfg(test)]
mod nearest_tests {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::*;

    /// Points held per cell, as the store would: every precision.
    fn index(points: &[(f64, f64)]) -> HashMap<String, Vec<(usize, f64, f64)>> {
        let mut cells: HashMap<String, Vec<(usize, f64, f64)>> = HashMap::new();
        for (i, &(lat, lng)) in points.iter().enumerate() {
            for cell in GeoPoint::new_unchecked(lat, lng).cells() {
                cells.entry(cell).or_default().push((i, lat, lng));
            }
        }
        cells
    }

    proptest! {
        #[test]
        fn finds_what_a_brute_force_scan_finds(
            points in prop::collection::vec((33.2..33.6_f64, 126.2..126.9_f64), 0..400),
            centre in (33.2..33.6_f64, 126.2..126.9_f64),
            radius_m in 100.0..20_000.0_f64,
            need in 1..45_usize,
        ) {
            let cells = index(&points);
            let center = GeoPoint::new_unchecked(centre.0, centre.1);
            let mut search = Nearest::new(center, radius_m, need);
            while let Some((_, wanted)) = search.next_cells() {
                let found: Vec<(usize, Placed)> = wanted
                    .iter()
                    .flat_map(|c| cells.get(&c.hash).cloned().unwrap_or_default())
                    .map(|(i, lat, lng)| (i, Placed::new(GeoPoint::new_unchecked(lat, lng))))
                    .collect();
                search.offer(found);
            }
            let got: Vec<f64> = search.finish().iter().map(|f| f.0).collect();
            let mut all: Vec<f64> = points
                .iter()
                .map(|&(lat, lng)| center.distance_m(GeoPoint::new_unchecked(lat, lng)))
                .filter(|d| *d <= radius_m)
                .collect();
            all.sort_by(f64::total_cmp);
            all.truncate(need);
            prop_assert_eq!(got, all);
        }
    }
}
