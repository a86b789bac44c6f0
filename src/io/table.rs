//! Tables: a small column-oriented value written as CSV and Parquet through polars.
//!
//! Compute stages build a [`Table`] of plain columns; this module turns it into a polars
//! `DataFrame` and writes both formats. Missing numbers (suppressed or not applicable) are
//! nulls: empty cells in CSV, nulls in Parquet.

use std::io::Write;

use polars::prelude::{
    Column as PlColumn, CsvWriter, DataFrame, ParquetCompression, ParquetWriter, SerWriter,
};

/// One column's values.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    Text(Vec<String>),
    Int(Vec<Option<i64>>),
    Float(Vec<Option<f64>>),
}

impl Values {
    fn len(&self) -> usize {
        match self {
            Values::Text(v) => v.len(),
            Values::Int(v) => v.len(),
            Values::Float(v) => v.len(),
        }
    }
}

/// A named table with equal-length columns.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub columns: Vec<(String, Values)>,
}

/// Writing a table failed.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error("table columns have different lengths ({0})")]
    Ragged(String),
    #[error(transparent)]
    Polars(#[from] polars::error::PolarsError),
}

impl Table {
    pub fn text(mut self, name: &str, values: Vec<String>) -> Self {
        self.columns.push((name.to_string(), Values::Text(values)));
        self
    }

    pub fn int(mut self, name: &str, values: Vec<Option<i64>>) -> Self {
        self.columns.push((name.to_string(), Values::Int(values)));
        self
    }

    /// A float column, rounded to `decimals` places so files stay readable and stable.
    pub fn float(mut self, name: &str, values: Vec<Option<f64>>, decimals: i32) -> Self {
        let scale = 10f64.powi(decimals);
        let rounded = values
            .into_iter()
            .map(|v| {
                v.filter(|x| x.is_finite())
                    .map(|x| (x * scale).round() / scale)
            })
            .collect();
        self.columns
            .push((name.to_string(), Values::Float(rounded)));
        self
    }

    pub fn height(&self) -> usize {
        self.columns.first().map_or(0, |(_, v)| v.len())
    }

    /// The polars frame of this table.
    pub fn to_frame(&self) -> Result<DataFrame, TableError> {
        let height = self.height();
        if let Some((name, _)) = self.columns.iter().find(|(_, v)| v.len() != height) {
            return Err(TableError::Ragged(name.clone()));
        }
        let columns: Vec<PlColumn> = self
            .columns
            .iter()
            .map(|(name, values)| match values {
                Values::Text(v) => PlColumn::new(name.as_str().into(), v),
                Values::Int(v) => PlColumn::new(name.as_str().into(), v),
                Values::Float(v) => PlColumn::new(name.as_str().into(), v),
            })
            .collect();
        Ok(DataFrame::new(height, columns)?)
    }

    pub fn write_csv<W: Write>(&self, out: W) -> Result<(), TableError> {
        let mut frame = self.to_frame()?;
        CsvWriter::new(out)
            .include_header(true)
            .finish(&mut frame)?;
        Ok(())
    }

    pub fn write_parquet<W: Write>(&self, out: W) -> Result<(), TableError> {
        let mut frame = self.to_frame()?;
        ParquetWriter::new(out)
            .with_compression(ParquetCompression::Snappy)
            .finish(&mut frame)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_has_header_nulls_as_empty_and_rounded_floats() {
        let t = Table::default()
            .text("district", vec!["Melton".into(), "Blaby".into()])
            .int("waiting", vec![Some(10), None])
            .float("gap", vec![Some(1.23456), Some(f64::NAN)], 2);
        let mut buf = Vec::new();
        t.write_csv(&mut buf).expect("writes");
        assert_eq!(
            String::from_utf8(buf).expect("utf8"),
            "district,waiting,gap\nMelton,10,1.23\nBlaby,,\n"
        );
    }

    #[test]
    fn parquet_starts_and_ends_with_magic() {
        let t = Table::default().int("n", vec![Some(1), Some(2)]);
        let mut buf = Vec::new();
        t.write_parquet(&mut buf).expect("writes");
        assert_eq!(&buf[..4], b"PAR1");
        assert_eq!(&buf[buf.len() - 4..], b"PAR1");
    }

    #[test]
    fn ragged_columns_are_refused() {
        let t = Table::default()
            .int("a", vec![Some(1)])
            .int("b", vec![Some(1), Some(2)]);
        assert!(matches!(t.to_frame(), Err(TableError::Ragged(name)) if name == "b"));
    }
}
