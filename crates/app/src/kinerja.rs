//! The public service figures of a village or a region (kinerja layanan): letters asked for and
//! signed on time, reports (from the regency's scoreboard), information requests answered on
//! time, this year so far. Counts only, no person in them: anyone may read them.

use balai_domain::ppid::AnnualFigures;
use balai_domain::wilayah::{KodeWilayah, Region};
use balai_store::letters::LetterFigures;
use chrono::Datelike;

use crate::reports::ScoreLine;
use crate::{App, AppError, AppResult};

#[derive(Debug, Clone)]
pub struct ServiceFigures {
    pub region: Region,
    pub ancestors: Vec<Region>,
    pub year: i32,
    /// Up to this date (today).
    pub until: chrono::NaiveDate,
    pub letters: LetterFigures,
    /// The village's line of the reports scoreboard (the last 365 days); `None` for a region,
    /// whose villages are each on the scoreboard, or a village that has had no report.
    pub reports: Option<ScoreLine>,
    pub reports_since: chrono::NaiveDate,
    pub information: AnnualFigures,
}

/// `part` of `whole` as a whole percentage, or `None` when there is nothing to measure.
pub fn percent(part: i64, whole: i64) -> Option<i64> {
    (whole > 0).then(|| (part * 100 + whole / 2) / whole)
}

impl App {
    /// This year's figures of a village, kecamatan or regency.
    pub async fn service_figures(&self, code: &str) -> AppResult<ServiceFigures> {
        let code = KodeWilayah::parse(code).map_err(|_| AppError::NotFound)?;
        let mut ancestors = self.store.region_with_ancestors(&code).await?;
        let region = match ancestors.pop() {
            Some(r) if r.code == code => r,
            _ => return Err(AppError::NotFound),
        };
        let today = self.today();
        let year = today.year();
        let (from, until) = (self.start_of_year(year)?, self.start_of_year(year + 1)?);
        let letters = self.store.letter_figures(code.as_str(), from, until).await?;
        let (information, _) = self.information_figures(code.as_str(), year).await?;
        let board = self.report_scoreboard().await?;
        let reports = if region.level.is_village() {
            board.villages.into_iter().find(|line| line.key == code.as_str())
        } else {
            None
        };
        Ok(ServiceFigures {
            region,
            ancestors,
            year,
            until: today,
            letters,
            reports,
            reports_since: board.since,
            information,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::percent;

    #[test]
    fn percentages_round_half_up_and_need_something_to_measure() {
        assert_eq!(percent(0, 0), None);
        assert_eq!(percent(1, 3), Some(33));
        assert_eq!(percent(2, 3), Some(67));
        assert_eq!(percent(1, 8), Some(13));
        assert_eq!(percent(5, 5), Some(100));
    }
}
