//! Who may do what: the roles of Padu's users and the permissions each role carries.
//!
//! A user has exactly one [`Role`] and one region scope. The role fixes the
//! level that scope must have (a village operator works in one village, a
//! Dinsos officer in one regency or city, Pusdatin in the whole country) and
//! the [`Permission`]s the user has *inside* it; nothing here ever widens
//! what a user can see beyond the scope.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::lang::{Lang, Localized};
use crate::region::RegionLevel;

/// The role of a Padu user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Village (desa/kelurahan) operator: corrects the records of one village.
    OperatorDesa,
    /// District (kecamatan) staff: reads and comments on the villages of one district.
    OperatorKecamatan,
    /// Regency/city social office (Dinsos) operator: works on the data of one regency.
    OperatorDinsos,
    /// Dinsos verifier: reviews the corrections of one regency.
    VerifikatorDinsos,
    /// Head of the Dinsos: ratifies for one regency.
    KepalaDinsos,
    /// Provincial officer: reads one province.
    AdminProvinsi,
    /// The national data centre (Pusdatin): reads and exports the whole country.
    Pusdatin,
    /// Manages user accounts inside its own scope; reads, never edits, data there.
    Admin,
}

/// Something a user may do inside their scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// See households, members, findings and counts.
    ReadRegistry,
    /// Change a member's fields (always with a reason, always audited).
    EditMember,
    /// Check a correction against the civil registry before saving it.
    Recheck,
    /// Leave a comment on a household.
    Comment,
    /// Download lists as XLSX or CSV (audited, since they carry full NIKs).
    Export,
    /// See a NIK or No KK in full rather than masked.
    ViewFullNik,
    /// Create, disable and reset user accounts, and issue API tokens.
    ManageUsers,
    /// Read the audit trail of the scope.
    ViewAudit,
    /// Draft proposals (usulan) for the village and edit them while they are drafts or returned.
    Propose,
    /// Write numbered letters (surat) to the villages of the region and track them.
    WriteLetter,
}

impl Role {
    /// Every role, from the village up.
    pub const ALL: [Role; 8] = [
        Role::OperatorDesa,
        Role::OperatorKecamatan,
        Role::OperatorDinsos,
        Role::VerifikatorDinsos,
        Role::KepalaDinsos,
        Role::AdminProvinsi,
        Role::Pusdatin,
        Role::Admin,
    ];

    /// The stored and typed code, e.g. `operator_desa`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::OperatorDesa => "operator_desa",
            Role::OperatorKecamatan => "operator_kecamatan",
            Role::OperatorDinsos => "operator_dinsos",
            Role::VerifikatorDinsos => "verifikator_dinsos",
            Role::KepalaDinsos => "kepala_dinsos",
            Role::AdminProvinsi => "admin_provinsi",
            Role::Pusdatin => "pusdatin",
            Role::Admin => "admin",
        }
    }

    /// The role's name for people, in the given language.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Role::OperatorDesa, Lang::Id) => "Operator desa/kelurahan",
            (Role::OperatorDesa, Lang::En) => "Village operator",
            (Role::OperatorKecamatan, Lang::Id) => "Operator kecamatan",
            (Role::OperatorKecamatan, Lang::En) => "District officer",
            (Role::OperatorDinsos, Lang::Id) => "Operator Dinsos",
            (Role::OperatorDinsos, Lang::En) => "Social office operator",
            (Role::VerifikatorDinsos, Lang::Id) => "Verifikator Dinsos",
            (Role::VerifikatorDinsos, Lang::En) => "Social office verifier",
            (Role::KepalaDinsos, Lang::Id) => "Kepala Dinsos",
            (Role::KepalaDinsos, Lang::En) => "Head of social office",
            (Role::AdminProvinsi, Lang::Id) => "Admin provinsi",
            (Role::AdminProvinsi, Lang::En) => "Provincial officer",
            (Role::Pusdatin, Lang::Id) => "Pusdatin",
            (Role::Pusdatin, Lang::En) => "National data centre",
            (Role::Admin, Lang::Id) => "Admin pengguna",
            (Role::Admin, Lang::En) => "User administrator",
        }
    }

    /// The level the user's scope must have: `Some(level)` for one region of
    /// that level, `None` for the whole country.
    ///
    /// An admin's scope may be any level (a regency admin, a national admin),
    /// so [`Role::accepts_scope_level`] is the check to use.
    pub fn scope_level(self) -> Option<RegionLevel> {
        match self {
            Role::OperatorDesa => Some(RegionLevel::Village),
            Role::OperatorKecamatan => Some(RegionLevel::District),
            Role::OperatorDinsos | Role::VerifikatorDinsos | Role::KepalaDinsos => {
                Some(RegionLevel::Regency)
            }
            Role::AdminProvinsi => Some(RegionLevel::Province),
            Role::Pusdatin | Role::Admin => None,
        }
    }

    /// Whether a scope of `level` (`None` = national) fits this role.
    pub fn accepts_scope_level(self, level: Option<RegionLevel>) -> bool {
        self == Role::Admin || self.scope_level() == level
    }

    /// Whether this role carries `p` inside its scope.
    pub fn can(self, p: Permission) -> bool {
        use Permission as P;
        use Role as R;
        match p {
            P::ReadRegistry => true,
            P::EditMember | P::Recheck => matches!(self, R::OperatorDesa | R::OperatorDinsos),
            P::Comment => !matches!(self, R::AdminProvinsi | R::Admin),
            P::Export => !matches!(self, R::OperatorKecamatan | R::Admin),
            P::ViewFullNik => matches!(self, R::OperatorDesa | R::OperatorDinsos | R::Pusdatin),
            P::ManageUsers => self == R::Admin,
            P::ViewAudit => matches!(self, R::Admin | R::KepalaDinsos | R::Pusdatin),
            P::Propose => self == R::OperatorDesa,
            P::WriteLetter => matches!(self, R::OperatorDinsos | R::KepalaDinsos),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A text that names no role.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "peran {0:?} tidak dikenal; pilih salah satu: operator_desa, operator_kecamatan, operator_dinsos, verifikator_dinsos, kepala_dinsos, admin_provinsi, pusdatin, admin"
)]
pub struct RoleError(pub String);

impl Localized for RoleError {
    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Id => self.to_string(),
            Lang::En => format!(
                "unknown role {:?}; choose one of: operator_desa, operator_kecamatan, operator_dinsos, verifikator_dinsos, kepala_dinsos, admin_provinsi, pusdatin, admin",
                self.0
            ),
        }
    }
}

impl FromStr for Role {
    type Err = RoleError;
    /// Accepts the codes of [`Role::as_str`], in any case, with `-` for `_`.
    fn from_str(s: &str) -> Result<Role, RoleError> {
        let t = s.trim().to_ascii_lowercase().replace('-', "_");
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == t)
            .ok_or_else(|| RoleError(s.trim().to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips_through_its_code() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
            assert_eq!(r.as_str().to_uppercase().parse::<Role>(), Ok(r));
        }
        assert_eq!("operator-desa".parse::<Role>(), Ok(Role::OperatorDesa));
        assert_eq!("".parse::<Role>(), Err(RoleError(String::new())));
        assert!("superuser".parse::<Role>().is_err());
    }

    #[test]
    fn each_role_needs_the_scope_of_its_level() {
        assert!(Role::OperatorDesa.accepts_scope_level(Some(RegionLevel::Village)));
        assert!(!Role::OperatorDesa.accepts_scope_level(Some(RegionLevel::District)));
        assert!(!Role::OperatorDesa.accepts_scope_level(None));
        assert!(Role::KepalaDinsos.accepts_scope_level(Some(RegionLevel::Regency)));
        assert!(Role::Pusdatin.accepts_scope_level(None));
        assert!(!Role::Pusdatin.accepts_scope_level(Some(RegionLevel::Province)));
        for level in [
            None,
            Some(RegionLevel::Province),
            Some(RegionLevel::Village),
        ] {
            assert!(Role::Admin.accepts_scope_level(level));
        }
    }

    #[test]
    fn only_operators_edit_and_only_admins_manage_users() {
        let editors: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.can(Permission::EditMember))
            .collect();
        assert_eq!(editors, [Role::OperatorDesa, Role::OperatorDinsos]);
        let managers: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.can(Permission::ManageUsers))
            .collect();
        assert_eq!(managers, [Role::Admin]);
    }

    #[test]
    fn whoever_may_edit_may_see_the_full_number() {
        for r in Role::ALL {
            if r.can(Permission::EditMember) {
                assert!(r.can(Permission::ViewFullNik), "{r}");
                assert!(r.can(Permission::Recheck), "{r}");
            }
            assert!(r.can(Permission::ReadRegistry), "{r}");
        }
    }
}
