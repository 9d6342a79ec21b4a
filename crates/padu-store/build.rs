//! Rebuilds the crate when a migration is added or changed: `sqlx::migrate!`
//! embeds the migration folders at compile time, and Cargo would not otherwise
//! notice a new file in them.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
