//! padu-dist against a real cluster: a scheduler and two executors, each
//! its own `padu-dist` process on localhost, on generated data.

mod cluster;
mod density;
mod keys;
mod linking;
mod partial;
mod verify;
