//! Padu's domain: the identity numbers, region codes, dates and records of an
//! Indonesian social-welfare registry, parsed once at the boundary into types
//! that are always valid inside.
//!
//! This crate never does I/O and never awaits: the bundled Kemendagri region
//! list is compiled into the binary with `include_str!` and indexed on first use.

pub mod access;
pub mod change;
pub mod code;
pub mod date;
pub mod evidence;
pub mod lang;
pub mod name;
pub mod nik;
pub mod period;
pub mod person;
pub mod proposal;
pub mod region;
pub mod suggest;
pub mod verify;

pub use access::{Permission, Role, RoleError};
pub use change::{
    CORRECTABLE_FIELDS, Change, ChangeCodeError, ChangeError, DeactivationReason, FieldValueError,
    ProposalKind, apply_fields, field_value,
};
pub use code::{CodeError, CodeKind};
pub use date::{DateError, parse_date};
pub use evidence::{EvidenceError, MAX_EVIDENCE_BYTES, MediaType, check_evidence};
pub use lang::Lang;
pub use name::{NameProblem, NameWarning};
pub use nik::{Nik, NikError, NikMismatch, NikReport, NikWarning, NoKk};
pub use period::{CutOff, CutOffError, Period, PeriodError, Zone, ZoneMap};
pub use person::{
    CIVIL_COLUMNS, CivilPerson, IdField, InvalidId, LifeStatus, REGISTRY_COLUMNS, RegistryPerson,
    Relation, Sex, Text,
};
pub use proposal::{
    Actor, ProposalState, ProposalStateError, Ratification, RatificationKind, Reason, ReasonError,
    Step, StepError, TransitionError,
};
pub use region::{
    RegionCode, RegionError, RegionIndex, RegionInfo, RegionLevel, fold_name, regions,
};
pub use suggest::{Suggestion, suggest};
pub use verify::{Action, Counts, Flag, NikStatus, Summary, VerificationRow};
