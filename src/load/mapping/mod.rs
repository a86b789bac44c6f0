//! Mapping: a council's file, in its own layout and words, read as gapmap's columns.
//!
//! [`read`] opens a CSV file or a spreadsheet sheet, renames the configured source
//! headings to gapmap's column names, works out columns from rules (status from start and
//! end dates, the waiting flag, the age band from a date of birth, the band from a unit
//! cost, the lot from one or more source columns) and turns the council's words into
//! gapmap's. The loaders then read the result as if it had been written in gapmap's own
//! layout, and every later stage sees gapmap's model only.
//!
//! Rows that a rule leaves out (not open at the data date, a lot rule with
//! `lot = "none"`) are counted in [`Note`]s, which the run prints and the report states:
//! nothing is dropped silently. A row a rule leaves out is not checked any further: a
//! problem in it (a cost that is no band's rate, a date that is not a date) does not stop
//! the run, since the row is not used. A value with no mapping is reported once per distinct value,
//! with its count and the nearest configured values, not once per row (with
//! `on_bad_row = "skip"` each such row is listed in the rejects file instead).

pub mod dates;
pub mod spec;

use std::collections::BTreeMap;

use crate::io::records::{normalise, reads_as, Records};
use crate::io::{sheet, InputFile};
use crate::model::{AgeBand, Catalogue};
use crate::problem::{closest, Problem, Problems};

pub use dates::Date;
pub use spec::InputSpec;

/// What mapping needs to know of the run.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The input's key in the config (`services`, `demand`, ...), for messages.
    pub role: &'a str,
    pub data_date: Date,
    pub catalogue: &'a Catalogue,
    /// The age bands a date of birth is placed in.
    pub age_bands: &'a [AgeBand],
    /// `on_bad_row = "skip"`: list each bad row, rather than each distinct bad value.
    pub skip: bool,
}

impl<'a> Context<'a> {
    /// The context of a checked config, for the input under `role`; `age_bands` are
    /// usually the config's (`config.file.projections.bands()`). A data date that is not
    /// a date (which the loader reports) reads as 1970-01-01.
    pub fn of(config: &'a crate::config::Config, role: &'a str, age_bands: &'a [AgeBand]) -> Self {
        Context {
            role,
            data_date: Date::parse(&config.file.data_date).unwrap_or(Date::from_days(0)),
            catalogue: &config.catalogue,
            age_bands,
            skip: config.file.validation.on_bad_row == crate::config::OnBadRow::Skip,
        }
    }
}

/// The words a gapmap column may hold, so that values the mapping does not cover are
/// reported once each.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    pub column: &'static str,
    pub words: Vec<String>,
    /// Whether the column is a list (`lots`, `bands`).
    pub list: bool,
}

/// Rows a rule left out of the analysis, counted.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Note {
    /// The file (and sheet) the rows came from.
    pub file: String,
    /// How many rows.
    pub count: usize,
    /// Why, in words that follow the count ("service events ended before the data date").
    pub what: String,
}

impl Note {
    /// One note per distinct reason, counting the rows of `records` left out for it, in
    /// the reasons' alphabetical order.
    pub fn counted<'r>(
        records: &Records,
        reasons: impl IntoIterator<Item = &'r String>,
    ) -> Vec<Note> {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for why in reasons {
            *counts.entry(why.as_str()).or_default() += 1;
        }
        let file = records.source_name();
        counts
            .into_iter()
            .map(|(what, count)| Note {
                file: file.clone(),
                count,
                what: what.to_string(),
            })
            .collect()
    }
}

/// A file read and mapped into gapmap's columns.
#[derive(Debug, Clone)]
pub struct Mapped {
    pub records: Records,
    pub notes: Vec<Note>,
}

/// Reads a CSV file or spreadsheet sheet as records, with the spec's sheet and header row.
pub fn read_records(input: &InputFile, spec: &InputSpec) -> Result<Records, Problems> {
    if sheet::is_spreadsheet(&input.name) {
        sheet::read(
            input,
            sheet::SheetChoice {
                sheet: spec.sheet.as_deref(),
                header_row: spec.header_row,
            },
        )
    } else if spec.sheet.is_some() {
        Err(Problems {
            listed: vec![Problem::new(
                &input.name,
                crate::problem::Place::File,
                format!(
                    "is a CSV file, but the config gives a sheet ({:?}); sheets are for spreadsheets (.xlsx, .xls, .ods)",
                    spec.sheet.as_deref().unwrap_or_default()
                ),
            )],
        })
    } else {
        crate::io::csv::read(input, spec.header_row.unwrap_or(1))
    }
}

/// Reads an input and maps it into gapmap's columns and words. Problems with the file as a
/// whole (a missing heading, a rule naming a column the file lacks) are the error; rows
/// with problems are left out and their problems put in the records' `rejected`.
pub fn read(
    input: &InputFile,
    spec: &InputSpec,
    vocabulary: &[Vocabulary],
    ctx: &Context,
) -> Result<Mapped, Problems> {
    map(read_records(input, spec)?, spec, vocabulary, ctx)
}

/// Maps records already read: see [`read`].
pub fn map(
    mut records: Records,
    spec: &InputSpec,
    vocabulary: &[Vocabulary],
    ctx: &Context,
) -> Result<Mapped, Problems> {
    map_columns(&mut records, spec, ctx)?;
    let mut mapper = Mapper::new(records, spec, ctx);
    mapper.waiting_when()?;
    mapper.status_from_dates()?;
    // Lot rules before the checks of single values: a row a rule leaves out (home care,
    // say, whose hourly cost is no band's rate) is never checked further.
    mapper.lot_rules()?;
    mapper.age_from()?;
    mapper.band_from_cost()?;
    mapper.value_maps(vocabulary)?;
    Ok(mapper.finish())
}

/// Renames the configured source headings to gapmap's names.
fn map_columns(records: &mut Records, spec: &InputSpec, ctx: &Context) -> Result<(), Problems> {
    let mut problems = Problems::default();
    let mut found = Vec::new();
    for (gapmap, heading) in &spec.columns {
        match records.find(heading) {
            Some(i) => found.push((gapmap.as_str(), i)),
            None => problems.push(missing_heading(
                records,
                ctx,
                &format!("columns.{gapmap}"),
                heading,
            )),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut taken: BTreeMap<usize, &str> = BTreeMap::new();
    for (gapmap, i) in found {
        if let Some(first) = taken.get(&i) {
            // Two gapmap columns from one heading: the second is a copy of the first.
            let values: Vec<String> = (0..records.rows.len())
                .map(|r| records.cell(r, i).to_string())
                .collect();
            let source = spec.columns.get(*first).cloned().unwrap_or_default();
            records.set_column(gapmap, &source, values);
        } else {
            records.rename(i, gapmap);
            taken.insert(i, gapmap);
        }
    }
    Ok(())
}

/// A heading the config names that the file lacks, with the nearest heading or the list.
fn missing_heading(records: &Records, ctx: &Context, setting: &str, heading: &str) -> Problem {
    let headings = records.source_headings();
    let hint = match closest(heading, headings.iter().map(String::as_str)) {
        Some(near) => format!("the closest heading is {near:?}"),
        None => {
            let shown: Vec<String> = headings.iter().take(25).map(|h| format!("{h:?}")).collect();
            format!("its headings are {}", shown.join(", "))
        }
    };
    records.header_problem(format!(
        "has no column {heading:?}, which the config names in [inputs.{}] {setting} ({hint})",
        ctx.role
    ))
}

/// A lot rule resolved against the file: the lot, and each condition's column and the
/// values (normalised) it accepts.
type Rule<'r> = (&'r str, Vec<(usize, Vec<String>)>);

/// One bad value in one row, before it is reported per row or per distinct value.
struct Issue {
    row: usize,
    column: String,
    value: String,
    message: String,
}

struct Mapper<'a> {
    records: Records,
    spec: &'a InputSpec,
    ctx: &'a Context<'a>,
    /// Why each row is left out by a rule, if it is.
    left_out: Vec<Option<String>>,
    issues: Vec<Issue>,
}

impl<'a> Mapper<'a> {
    fn new(records: Records, spec: &'a InputSpec, ctx: &'a Context<'a>) -> Self {
        let n = records.rows.len();
        Mapper {
            records,
            spec,
            ctx,
            left_out: vec![None; n],
            issues: Vec::new(),
        }
    }

    fn column(&self, setting: &str, heading: &str) -> Result<usize, Problems> {
        self.records.find(heading).ok_or_else(|| Problems {
            listed: vec![missing_heading(&self.records, self.ctx, setting, heading)],
        })
    }

    fn live(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.records.rows.len()).filter(|&r| self.left_out[r].is_none())
    }

    fn issue(&mut self, row: usize, index: usize, message: impl Into<String>) {
        self.issues.push(Issue {
            row,
            column: self.records.label(&self.records.header[index]),
            value: self.records.cell(row, index).to_string(),
            message: message.into(),
        });
    }

    /// The status column as rules have set it so far (empty where none has).
    fn status_values(&self) -> Vec<String> {
        match self.records.index("status") {
            Some(i) => (0..self.records.rows.len())
                .map(|r| self.records.cell(r, i).to_string())
                .collect(),
            None => vec![String::new(); self.records.rows.len()],
        }
    }

    fn waiting_when(&mut self) -> Result<(), Problems> {
        let Some(rule) = &self.spec.waiting_when else {
            return Ok(());
        };
        let i = self.column("waiting_when.column", &rule.column)?;
        let wanted: Vec<String> = rule.values.iter().map(|v| normalise(v)).collect();
        let mut status = self.status_values();
        for (r, s) in status.iter_mut().enumerate() {
            if wanted.iter().any(|w| reads_as(w, self.records.cell(r, i))) {
                *s = "waiting".into();
            }
        }
        self.records.set_column("status", &rule.column, status);
        Ok(())
    }

    fn status_from_dates(&mut self) -> Result<(), Problems> {
        let Some(rule) = &self.spec.status_from_dates else {
            return Ok(());
        };
        let start = self.column("status_from_dates.start", &rule.start)?;
        let end = match &rule.end {
            Some(h) => Some(self.column("status_from_dates.end", h)?),
            None => None,
        };
        let on = self.ctx.data_date;
        let mut status = self.status_values();
        let rows: Vec<usize> = self.live().collect();
        for r in rows {
            if status[r] == "waiting" {
                continue;
            }
            let Some(from) = self.date(r, start, "a start date", false) else {
                continue;
            };
            let to = match end {
                Some(e) if !self.records.cell(r, e).is_empty() => {
                    match self.date(r, e, "an end date", false) {
                        Some(d) => Some(d),
                        None => continue,
                    }
                }
                _ => None,
            };
            if from > on {
                self.left_out[r] = Some(format!("rows starting after the data date ({on})"));
            } else if to.is_some_and(|t| t < on) {
                self.left_out[r] = Some(format!("rows ended before the data date ({on})"));
            } else {
                status[r] = "current".into();
            }
        }
        self.records.set_column("status", &rule.start, status);
        Ok(())
    }

    /// A date in a row, or an issue when it is missing, not a date, before 1900, or (when
    /// `past` is set) after the data date.
    fn date(&mut self, r: usize, i: usize, what: &str, past: bool) -> Option<Date> {
        let text = self.records.cell(r, i);
        if text.is_empty() {
            self.issue(r, i, format!("is empty ({what} is required)"));
            return None;
        }
        match Date::parse(text) {
            None => self.issue(
                r,
                i,
                "is not a date (expected a spreadsheet date, 2025-06-30 or 30/06/2025)",
            ),
            Some(d) if d.year < 1900 => self.issue(r, i, "is before 1900 (is the year mistyped?)"),
            Some(d) if past && d > self.ctx.data_date => self.issue(
                r,
                i,
                format!("is after the data date ({})", self.ctx.data_date),
            ),
            Some(d) => return Some(d),
        }
        None
    }

    fn age_from(&mut self) -> Result<(), Problems> {
        let Some(rule) = &self.spec.age_from else {
            return Ok(());
        };
        let source = if let Some(h) = &rule.birth_date {
            Birth::Date(self.column("age_from.birth_date", h)?)
        } else {
            match (&rule.birth_year, &rule.birth_month) {
                (Some(y), Some(m)) => Birth::YearMonth(
                    self.column("age_from.birth_year", y)?,
                    self.column("age_from.birth_month", m)?,
                ),
                _ => {
                    return Err(Problems {
                        listed: vec![self.records.header_problem(format!(
                        "[inputs.{}] age_from needs birth_date, or both birth_year and birth_month",
                        self.ctx.role
                    ))],
                    })
                }
            }
        };
        let mut bands = vec![String::new(); self.records.rows.len()];
        let rows: Vec<usize> = self.live().collect();
        for r in rows {
            let Some((age, column)) = self.age(r, source) else {
                continue;
            };
            let on = self.ctx.data_date;
            if age < 18 {
                self.issue(r, column, format!("gives an age of {age} on {on}, under 18 (adult social care is for people aged 18 and over)"));
                continue;
            }
            match self.ctx.age_bands.iter().find(|b| b.contains(age as u32)) {
                Some(b) => bands[r] = b.label.clone(),
                None => {
                    let listed: Vec<&str> = self
                        .ctx
                        .age_bands
                        .iter()
                        .map(|b| b.label.as_str())
                        .collect();
                    self.issue(
                        r,
                        column,
                        format!(
                            "gives an age of {age} on {on}, in none of the age bands ({})",
                            listed.join(", ")
                        ),
                    );
                }
            }
        }
        let heading = rule
            .birth_date
            .clone()
            .or(rule.birth_year.clone())
            .unwrap_or_default();
        self.records.set_column("age_band", &heading, bands);
        Ok(())
    }

    /// Age in whole years at the data date, and the column it came from. From a birth year
    /// and month, the birth date is taken as the 1st of the month and the age is whole
    /// 365.25-day years, as NHS England's SALT-from-CLD code does.
    fn age(&mut self, r: usize, source: Birth) -> Option<(i64, usize)> {
        let on = self.ctx.data_date;
        match source {
            Birth::Date(i) => self
                .date(r, i, "a date of birth", true)
                .map(|d| (d.age_on(on), i)),
            Birth::YearMonth(y, m) => {
                let year = self.records.cell(r, y).parse::<i32>().ok();
                let month = self.records.cell(r, m).parse::<u32>().ok();
                let Some(born) = year.zip(month).and_then(|(y, m)| Date::new(y, m, 1)) else {
                    let bad = if year.is_none() { y } else { m };
                    self.issue(
                        r,
                        bad,
                        "is not a birth year (such as 1960) and month (1 to 12)",
                    );
                    return None;
                };
                if born.year < 1900 {
                    self.issue(r, y, "is before 1900 (is the year mistyped?)");
                    return None;
                }
                if born > on {
                    self.issue(
                        r,
                        y,
                        format!("with the birth month is after the data date ({on})"),
                    );
                    return None;
                }
                let days = on.days() - born.days();
                Some(((days as f64 / 365.25).floor() as i64, y))
            }
        }
    }

    fn band_from_cost(&mut self) -> Result<(), Problems> {
        let Some(rule) = &self.spec.band_from_cost else {
            return Ok(());
        };
        let i = self.column("band_from_cost.column", &rule.column)?;
        let rates = band_rates(self.ctx.catalogue);
        let mut bands = vec![String::new(); self.records.rows.len()];
        let rows: Vec<usize> = self.live().collect();
        for r in rows {
            let text = self
                .records
                .cell(r, i)
                .trim_start_matches('£')
                .replace(',', "");
            if text.is_empty() {
                continue;
            }
            let Ok(cost) = text.parse::<f64>() else {
                self.issue(r, i, "is not a cost in pounds");
                continue;
            };
            let mut matching: Vec<&str> = rates
                .iter()
                .filter(|(_, _, rate)| (rate - cost).abs() <= rule.tolerance)
                .map(|(band, _, _)| band.as_str())
                .collect();
            matching.dedup();
            match matching.as_slice() {
                [one] => bands[r] = (*one).to_string(),
                [] => {
                    let near = rates
                        .iter()
                        .min_by(|a, b| (a.2 - cost).abs().total_cmp(&(b.2 - cost).abs()))
                        .map(|(b, what, rate)| {
                            format!(" (the nearest is band {b}'s {what} rate, £{rate:.2})")
                        })
                        .unwrap_or_default();
                    self.issue(
                        r,
                        i,
                        format!("matches no band rate within £{}{near}", rule.tolerance),
                    );
                }
                many => self.issue(
                    r,
                    i,
                    format!("matches the rates of several bands ({})", many.join(", ")),
                ),
            }
        }
        self.records.set_column("band", &rule.column, bands);
        Ok(())
    }

    fn lot_rules(&mut self) -> Result<(), Problems> {
        if self.spec.lot_rules.is_empty() {
            return Ok(());
        }
        let mut problems = Problems::default();
        let mut rules = Vec::new();
        for (k, rule) in self.spec.lot_rules.iter().enumerate() {
            if rule.lot != spec::NO_LOT && self.ctx.catalogue.lot_index(&rule.lot).is_none() {
                let ids: Vec<&str> = self
                    .ctx
                    .catalogue
                    .lots
                    .iter()
                    .map(|l| l.id.as_str())
                    .collect();
                problems.push(self.records.header_problem(format!(
                    "[inputs.{}] lot_rules rule {}: lot {:?} {} (or \"none\" to leave such rows out)",
                    self.ctx.role,
                    k + 1,
                    rule.lot,
                    crate::problem::expected_one_of(&rule.lot, &ids)
                )));
            }
            let mut conditions = Vec::new();
            for (heading, values) in &rule.when {
                match self.records.find(heading) {
                    Some(i) => conditions.push((
                        i,
                        values
                            .values()
                            .into_iter()
                            .map(normalise)
                            .collect::<Vec<_>>(),
                    )),
                    None => problems.push(missing_heading(
                        &self.records,
                        self.ctx,
                        &format!("lot_rules rule {} when", k + 1),
                        heading,
                    )),
                }
            }
            rules.push((rule.lot.as_str(), conditions));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let columns: Vec<usize> = {
            let mut c: Vec<usize> = rules
                .iter()
                .flat_map(|(_, cs)| cs.iter().map(|(i, _)| *i))
                .collect();
            c.sort_unstable();
            c.dedup();
            c
        };
        let mut lots = vec![String::new(); self.records.rows.len()];
        let rows: Vec<usize> = self.live().collect();
        for r in rows {
            let matched = rules.iter().find(|(_, conditions)| {
                conditions
                    .iter()
                    .all(|(i, values)| values.iter().any(|v| reads_as(v, self.records.cell(r, *i))))
            });
            match matched {
                Some((lot, _)) if *lot == spec::NO_LOT => {
                    self.left_out[r] = Some("rows a lot rule leaves out (lot = \"none\")".into());
                }
                Some((lot, _)) => lots[r] = (*lot).to_string(),
                None => self.unmatched_rule(r, &rules, &columns),
            }
        }
        self.records.set_column("lot", "lot_rules", lots);
        Ok(())
    }

    /// A row no lot rule matches: the issue names the first of its values that no rule
    /// mentions (with the nearest that one does), or else the combination.
    fn unmatched_rule(&mut self, r: usize, rules: &[Rule], columns: &[usize]) {
        for &i in columns {
            let known: Vec<&String> = rules
                .iter()
                .flat_map(|(_, cs)| cs.iter().filter(|(c, _)| *c == i).flat_map(|(_, v)| v))
                .collect();
            let value = normalise(self.records.cell(r, i));
            if !known.contains(&&value) {
                let written: Vec<String> = self
                    .spec
                    .lot_rules
                    .iter()
                    .flat_map(|rule| rule.when.iter())
                    .filter(|(h, _)| self.records.find(h) == Some(i))
                    .flat_map(|(_, v)| {
                        v.values()
                            .into_iter()
                            .map(str::to_string)
                            .collect::<Vec<_>>()
                    })
                    .collect();
                let hint = nearest(&value, written.iter().map(String::as_str))
                    .map(|c| format!(" (the closest value in a rule is {c:?})"))
                    .unwrap_or_default();
                let role = self.ctx.role;
                self.issue(r, i, format!("is in no lot rule ([[inputs.{role}.lot_rules]]){hint}; add a rule for it, with lot = \"none\" to leave such rows out"));
                return;
            }
        }
        let described: Vec<String> = columns
            .iter()
            .map(|&i| {
                format!(
                    "{} = {:?}",
                    self.records.label(&self.records.header[i]),
                    self.records.cell(r, i)
                )
            })
            .collect();
        let first = columns.first().copied().unwrap_or(0);
        let role = self.ctx.role;
        self.issue(r, first, format!("matches no lot rule as a combination ({}); add a rule to [[inputs.{role}.lot_rules]]", described.join(", ")));
    }

    fn value_maps(&mut self, vocabulary: &[Vocabulary]) -> Result<(), Problems> {
        let separator = self.spec.list_separator.clone();
        let mut problems = Problems::default();
        let mut columns: Vec<&str> = self.spec.values.keys().map(String::as_str).collect();
        if separator.is_some() {
            for v in vocabulary.iter().filter(|v| v.list) {
                if !columns.contains(&v.column) && self.records.has(v.column) {
                    columns.push(v.column);
                }
            }
        }
        for column in columns {
            let Some(i) = self.records.index(column) else {
                problems.push(self.records.header_problem(format!(
                    "[inputs.{}] values.{column} is set, but the file has no column {column:?} (name its heading in [inputs.{}.columns])",
                    self.ctx.role, self.ctx.role
                )));
                continue;
            };
            let empty = BTreeMap::new();
            let map: BTreeMap<String, &String> = self
                .spec
                .values
                .get(column)
                .unwrap_or(&empty)
                .iter()
                .map(|(k, v)| (normalise(k), v))
                .collect();
            let vocab = vocabulary.iter().find(|v| v.column == column);
            let list = vocab.is_some_and(|v| v.list);
            let rows: Vec<usize> = self.live().collect();
            for r in rows {
                let text = self.records.cell(r, i).to_string();
                let items: Vec<&str> = if list {
                    text.split(separator.as_deref().unwrap_or(";"))
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .collect()
                } else {
                    vec![text.as_str()]
                };
                let mut out = Vec::new();
                for item in items {
                    match self.map_value(item, &map, vocab) {
                        Ok(v) => out.push(v),
                        Err(message) => {
                            self.issues.push(Issue {
                                row: r,
                                column: self.records.label(column),
                                value: item.to_string(),
                                message,
                            });
                        }
                    }
                }
                if let Some((_, fields)) = self.records.rows.get_mut(r) {
                    if let Some(f) = fields.get_mut(i) {
                        *f = out.join(";");
                    }
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// A value through the column's map: its mapped word, or itself when it is already one
    /// of gapmap's words (or the column has no fixed words); else why not.
    fn map_value(
        &self,
        item: &str,
        map: &BTreeMap<String, &String>,
        vocab: Option<&Vocabulary>,
    ) -> Result<String, String> {
        if item.is_empty() {
            return Ok(String::new());
        }
        let key = normalise(item);
        if let Some(v) = map.get(&key) {
            return Ok((*v).clone());
        }
        let Some(vocab) = vocab else {
            return Ok(item.to_string());
        };
        if let Some(w) = vocab.words.iter().find(|w| normalise(w) == key) {
            return Ok(w.clone());
        }
        let written: Vec<&str> = map.keys().map(String::as_str).collect();
        let hint = nearest(&key, written.iter().copied())
            .map(|c| {
                format!(
                    "; the closest mapped value is {:?}",
                    original_key(self.spec, vocab.column, c)
                )
            })
            .unwrap_or_default();
        Err(format!(
            "has no entry in [inputs.{}.values.{}] and is not one of {}{hint}",
            self.ctx.role,
            vocab.column,
            vocab.words.join(", ")
        ))
    }

    /// The records with left-out and bad rows removed, notes counting what rules left out,
    /// and the problems of bad rows in `rejected`.
    fn finish(mut self) -> Mapped {
        // A row a later rule left out is not used, so its earlier problems do not count.
        let left_out = &self.left_out;
        self.issues.retain(|i| left_out[i.row].is_none());
        let place_of = |records: &Records, r: usize| records.place(records.rows[r].0);
        let problems = if self.ctx.skip {
            self.issues
                .iter()
                .map(|i| {
                    Problem::new(
                        &self.records.file,
                        place_of(&self.records, i.row),
                        i.message.clone(),
                    )
                    .field(&i.column)
                    .value(&i.value)
                })
                .collect()
        } else {
            summarise(&self.records, &self.issues)
        };
        let mut keep: Vec<bool> = self.left_out.iter().map(Option::is_none).collect();
        for i in &self.issues {
            keep[i.row] = false;
        }
        let notes = Note::counted(&self.records, self.left_out.iter().flatten());
        self.records.retain_rows(&keep);
        self.records.rejected.listed.extend(problems);
        Mapped {
            records: self.records,
            notes,
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Birth {
    Date(usize),
    YearMonth(usize, usize),
}

/// The configured value nearest to `value`: a likely misspelling of it, or else the
/// shortest that contains it or that it contains, ignoring case ("Mental Health" is near
/// "Mental Health Support").
fn nearest<'c>(
    value: &str,
    candidates: impl IntoIterator<Item = &'c str> + Clone,
) -> Option<&'c str> {
    closest(value, candidates.clone()).or_else(|| {
        let v = normalise(value);
        candidates
            .into_iter()
            .filter(|c| {
                let c = normalise(c);
                !v.is_empty() && (c.contains(&v) || v.contains(&c)) && !c.is_empty()
            })
            .min_by_key(|c| (c.len(), c.to_string()))
    })
}

/// The configured map key as written, for a normalised key.
fn original_key(spec: &InputSpec, column: &str, normalised: &str) -> String {
    spec.values
        .get(column)
        .and_then(|m| m.keys().find(|k| normalise(k) == normalised))
        .cloned()
        .unwrap_or_else(|| normalised.to_string())
}

/// Every band rate: band id, which rate, pounds.
fn band_rates(catalogue: &Catalogue) -> Vec<(String, &'static str, f64)> {
    let mut rates = Vec::new();
    for b in &catalogue.bands {
        for (what, rate) in [
            ("half-day", b.half_day),
            ("full-day", b.full_day),
            ("hourly", b.hourly),
        ] {
            if let Some(rate) = rate {
                rates.push((b.id.clone(), what, rate));
            }
        }
    }
    rates
}

/// One problem per distinct column, value and message, at its first row, with how many
/// rows share it.
fn summarise(records: &Records, issues: &[Issue]) -> Vec<Problem> {
    let mut groups: BTreeMap<(&str, &str, &str), Vec<u64>> = BTreeMap::new();
    let mut order = Vec::new();
    for i in issues {
        let key = (i.column.as_str(), i.value.as_str(), i.message.as_str());
        let rows = groups.entry(key).or_default();
        if rows.is_empty() {
            order.push(key);
        }
        rows.push(records.rows[i.row].0);
    }
    order
        .into_iter()
        .map(|key| {
            let rows = &groups[&key];
            let (column, value, message) = key;
            let message = if rows.len() == 1 {
                message.to_string()
            } else {
                let shown: Vec<String> = rows.iter().take(5).map(u64::to_string).collect();
                let more = if rows.len() > 5 { ", ..." } else { "" };
                let what = if records.sheet.is_some() {
                    "rows"
                } else {
                    "lines"
                };
                format!(
                    "{message} [{} {what}: {}{more}]",
                    rows.len(),
                    shown.join(", ")
                )
            };
            Problem::new(&records.file, records.place(rows[0]), message)
                .field(column)
                .value(value)
        })
        .collect()
}

#[cfg(test)]
mod tests;
