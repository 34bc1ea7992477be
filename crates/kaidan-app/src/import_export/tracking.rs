//! Tracking events from a carrier's file (SHP-2, INT-4): one row per event,
//! matched to its shipment by tracking number. All or nothing: every bad row
//! is reported with its row and column, and then nothing is written. An
//! event already recorded (same shipment, time and status) is skipped, so a
//! file may be imported again.

use jiff::Timestamp;
use jiff::civil::DateTime;
use kaidan_domain::Permission;
use kaidan_domain::fulfilment::TrackingStatus;
use kaidan_domain::orders::company_time_zone;

use crate::app::{App, Ctx};
use crate::error::{AppError, AppResult};
use crate::fulfilment::TrackingInput;
use crate::import_export::Table;
use crate::import_export::{Cells, Dataset, ImportReport, RowError};

/// RFC 3339 (`2026-11-23T10:00:00+08:00`), or a local time in the company's
/// time zone (`2026-11-23 10:00` or with seconds).
fn parse_at(v: &str) -> Result<Timestamp, String> {
    if let Ok(t) = v.parse::<Timestamp>() {
        return Ok(t);
    }
    v.replace(' ', "T")
        .parse::<DateTime>()
        .ok()
        .and_then(|d| d.to_zoned(company_time_zone()).ok())
        .map(|z| z.timestamp())
        .ok_or_else(|| format!("'{v}' is not a time (2026-11-23 10:00 or RFC 3339)"))
}

impl App {
    pub(crate) async fn import_tracking(
        &self,
        ctx: &Ctx,
        table: &Table,
    ) -> AppResult<ImportReport> {
        ctx.require(Permission::ShipmentWrite)?;
        let mut errors: Vec<RowError> = Vec::new();
        let mut tx = self.store.write().await?;
        let mut events = Vec::new();
        for row in &table.rows {
            let mut c = Cells::new(table, row);
            let tracking_no = c.text("tracking_no");
            let status = c.parse::<TrackingStatus>("status");
            let at = match c.raw("at") {
                "" => {
                    c.err("at", "is required");
                    None
                }
                v => parse_at(v).map_err(|m| c.err("at", m)).ok(),
            };
            let shipment = if tracking_no.is_empty() {
                None
            } else {
                match tx.shipment_by_tracking(&tracking_no).await?.as_slice() {
                    [id] => Some(*id),
                    [] => {
                        c.err(
                            "tracking_no",
                            format!("no shipment has tracking number '{tracking_no}'"),
                        );
                        None
                    }
                    _ => {
                        c.err(
                            "tracking_no",
                            format!("several shipments share tracking number '{tracking_no}'"),
                        );
                        None
                    }
                }
            };
            if let (Some(shipment), Some(status), Some(at)) = (shipment, status, at) {
                events.push((
                    row.line,
                    shipment,
                    TrackingInput {
                        at,
                        status,
                        location: c.opt("location").unwrap_or_default(),
                        note: c.opt("note").unwrap_or_default(),
                    },
                ));
            }
            errors.append(&mut c.errors);
        }
        if !errors.is_empty() {
            return Err(AppError::ImportRejected(errors));
        }
        let (mut created, mut unchanged) = (0, 0);
        for (line, shipment, input) in &events {
            let Some(s) = tx.shipment_get(*shipment).await? else {
                continue;
            };
            match self.tracking_in(&mut tx, ctx, &s, input, "csv", "").await {
                Ok(true) => created += 1,
                Ok(false) => unchanged += 1,
                Err(AppError::Invalid(v)) => {
                    errors.extend(v.errors.into_iter().map(|f| RowError {
                        file: table.file.clone(),
                        row: *line,
                        column: Some(f.field),
                        message: f.message,
                    }))
                }
                Err(e) => return Err(e),
            }
        }
        if !errors.is_empty() {
            return Err(AppError::ImportRejected(errors));
        }
        tx.commit().await?;
        Ok(ImportReport {
            file: table.file.clone(),
            dataset: Dataset::Tracking,
            rows: table.rows.len(),
            created,
            updated: 0,
            unchanged,
        })
    }

    /// Every tracking event of every shipment, as the import reads them.
    pub(crate) async fn export_tracking(&self, table: &mut Table) -> AppResult<()> {
        let mut tx = self.store.read().await?;
        let tz = company_time_zone();
        for s in tx.shipments(None, None, u32::MAX).await?.iter().rev() {
            let Some(full) = tx.shipment_get(s.id).await? else {
                continue;
            };
            for e in &full.tracking {
                table.push(vec![
                    full.tracking_no.clone(),
                    e.at.to_zoned(tz.clone())
                        .strftime("%Y-%m-%d %H:%M:%S")
                        .to_string(),
                    e.status.to_string(),
                    e.location.clone(),
                    e.note.clone(),
                ]);
            }
        }
        Ok(())
    }
}
