//! The regions of Korea (시/도) a point belongs to, from `data/regions.json`.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::geo::GeoPoint;

/// One region: a code such as `jeju`, its Korean name, and its shape.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct Region {
    pub code: String,
    pub name: String,
    /// `[south, west, north, east]` in degrees.
    #[serde(rename = "box")]
    pub bounds: [f64; 4],
}

impl Region {
    fn contains(&self, p: GeoPoint) -> bool {
        let [south, west, north, east] = self.bounds;
        (south..=north).contains(&p.lat()) && (west..=east).contains(&p.lng())
    }

    fn area(&self) -> f64 {
        let [south, west, north, east] = self.bounds;
        (north - south) * (east - west)
    }
}

#[derive(Deserialize)]
struct File {
    regions: Vec<Region>,
}

/// Every region, smallest first, so the first that holds a point is the most specific.
pub fn all() -> &'static [Region] {
    static REGIONS: OnceLock<Vec<Region>> = OnceLock::new();
    REGIONS.get_or_init(|| {
        let file: File =
            serde_json::from_str(include_str!("../data/regions.json")).unwrap_or(File {
                regions: Vec::new(),
            });
        let mut regions = file.regions;
        regions.sort_by(|a, b| a.area().total_cmp(&b.area()));
        regions
    })
}

/// The region holding `p`, if maru serves it.
pub fn at(p: GeoPoint) -> Option<&'static Region> {
    all().iter().find(|r| r.contains(p))
}

/// Whether `code` names a region.
pub fn exists(code: &str) -> bool {
    all().iter().any(|r| r.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(lat: f64, lng: f64) -> Option<&'static str> {
        at(GeoPoint::new_unchecked(lat, lng)).map(|r| r.code.as_str())
    }

    #[test]
    fn the_data_file_holds_all_seventeen_regions() {
        assert_eq!(all().len(), 17);
    }

    #[test]
    fn points_fall_in_the_most_specific_region() {
        assert_eq!(code(33.4996, 126.5312), Some("jeju"));
        assert_eq!(code(35.1796, 129.0756), Some("busan"));
        assert_eq!(code(37.5665, 126.978), Some("seoul"));
        assert_eq!(code(35.8714, 128.6014), Some("daegu"));
        assert_eq!(code(37.2636, 127.0286), Some("gyeonggi"));
        assert_eq!(code(35.6, 139.7), None);
    }
}
