//! Reading and writing Padu's interchange files (CSV, XLSX) into core types with row-level issues.
