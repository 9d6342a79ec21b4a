//! The `padu` command-line tool.

fn main() {}
