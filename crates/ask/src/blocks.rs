//! What the nearby search caches: blocks, each every listed question under one coarser
//! geohash cell, sorted by finest cell. A search's first rings are cells of about 150 m that
//! fall in one to four blocks of about 1 km, so it makes a few cache reads where it made one a
//! cell (those reads were a quarter of a cached search). A block also keeps the summary of each
//! question a page has shown, so that the next page near it finds the summary next to the
//! point instead of in the cache of all summaries (twenty lookups in a table of a million
//! entries were a third of a page's work). Pure: no I/O.

use std::sync::OnceLock;

use crate::caches::CachedSummary;
use crate::geo::{GeoPoint, Placed, Precision};
use crate::model::QuestionId;

/// The listed questions under one cell of [`Precision::block`].
#[derive(Debug)]
pub struct Block {
    /// Each finest cell holding points (precision 7, as big-endian bytes of a number, so that
    /// cells order as their names do and a coarser cell is a range of them), ascending, with
    /// where its points start. Searched instead of the points, it stays in the processor's
    /// cache: a search over the points missed it at every step.
    cells: Vec<(u64, usize)>,
    /// Grouped by cell, in the order of `cells`.
    points: Vec<(QuestionId, Placed)>,
    /// The summary of each point, in the order of `points`, once a page has shown it. One that
    /// has [`changed`](crate::caches::Summary::changed) since is not used.
    summaries: Box<[OnceLock<CachedSummary>]>,
}

/// A point of a block, by its place in [`Block::points`].
pub type Spot = usize;

impl Block {
    /// The key of the block holding `cell`, a cell of `precision`: its prefix at the block's
    /// precision.
    pub fn key(cell: &str, precision: Precision) -> &str {
        cell.get(..precision.block().length()).unwrap_or(cell)
    }

    pub fn new(points: impl IntoIterator<Item = (QuestionId, GeoPoint)>) -> Self {
        let mut placed: Vec<(u64, QuestionId, Placed)> = points
            .into_iter()
            .map(|(id, point)| (finest_cell(point), id, Placed::new(point)))
            .collect();
        placed.sort_unstable_by_key(|p| p.0);
        let mut cells: Vec<(u64, usize)> = Vec::new();
        for (i, (cell, ..)) in placed.iter().enumerate() {
            if cells.last().is_none_or(|last| last.0 != *cell) {
                cells.push((*cell, i));
            }
        }
        let points: Vec<_> = placed.into_iter().map(|(_, id, at)| (id, at)).collect();
        let summaries = points.iter().map(|_| OnceLock::new()).collect();
        Self {
            cells,
            points,
            summaries,
        }
    }

    /// The spots of the questions in `cell` (a geohash no shorter than the block's own), with
    /// where each question is.
    pub fn cell(&self, cell: &str) -> impl Iterator<Item = (Spot, Placed)> + '_ {
        let (first, last) = (packed(cell, 0), packed(cell, u8::MAX));
        let from = self.cells.partition_point(|c| c.0 < first);
        let to = self.cells.partition_point(|c| c.0 <= last);
        let start = self.cells.get(from).map_or(self.points.len(), |c| c.1);
        let end = self.cells.get(to).map_or(self.points.len(), |c| c.1);
        let points = self.points.get(start..end).unwrap_or_default();
        (start..).zip(points).map(|(spot, &(_, at))| (spot, at))
    }

    /// The question at `spot`.
    pub fn question(&self, spot: Spot) -> Option<QuestionId> {
        self.points.get(spot).map(|p| p.0)
    }

    /// The summary kept for `spot`, unless its question has changed since.
    pub fn summary(&self, spot: Spot) -> Option<&CachedSummary> {
        self.summaries
            .get(spot)
            .and_then(OnceLock::get)
            .filter(|s| !s.changed())
    }

    /// Keeps `summary` for `spot` if none is kept yet (a changed one stays until the block is
    /// read again from the database: blocks live a minute).
    pub fn keep_summary(&self, spot: Spot, summary: &CachedSummary) {
        if let Some(slot) = self.summaries.get(spot) {
            let _ = slot.set(CachedSummary::clone(summary));
        }
    }
}

fn finest_cell(point: GeoPoint) -> u64 {
    let [.., finest] = point.cells();
    packed(&finest, 0)
}

/// A geohash of up to eight characters as a number, the characters past its end `fill`.
fn packed(cell: &str, fill: u8) -> u64 {
    let mut bytes = [fill; 8];
    for (to, from) in bytes.iter_mut().zip(cell.bytes()) {
        *to = from;
    }
    u64::from_be_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(lat: f64, lng: f64) -> GeoPoint {
        GeoPoint::new_unchecked(lat, lng)
    }

    #[test]
    fn a_cell_reads_exactly_its_own_questions() {
        let here = point(33.4996, 126.5312);
        let next_door = point(33.4996, 126.5330);
        let [_, six, seven] = here.cells();
        let block = Block::new([
            (QuestionId::from_raw(1), here),
            (QuestionId::from_raw(2), next_door),
            (QuestionId::from_raw(3), here),
        ]);
        assert_eq!(Block::key(&seven, Precision::Seven), six);
        let ids = |cell: &str| -> Vec<i64> {
            block
                .cell(cell)
                .filter_map(|(spot, _)| block.question(spot))
                .map(QuestionId::get)
                .collect()
        };
        assert_eq!(ids(&seven), [1, 3]);
        assert_ne!(next_door.cells()[2], seven);
        assert_eq!(ids(&next_door.cells()[2]), [2]);
        assert_eq!(ids(&six).len(), 3, "a coarser cell holds all of them");
        assert!(ids(&point(35.1796, 129.0756).cells()[2]).is_empty());
    }
}
