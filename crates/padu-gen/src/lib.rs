//! Synthetic, deterministic Indonesian registry and civil-registry data with ground truth.
