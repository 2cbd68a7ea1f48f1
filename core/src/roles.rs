//! Roles, their authorities (`ROLE_USER`, …) and the requirements protected routes check.
//!
//! The seed knows three roles with fixed ids: 1 `user`, 2 `moderator`, 3 `admin`. By default no role
//! implies another (an admin is *not* a moderator), exactly like the seed's `isModerator`/`isAdmin`.
//! [`RoleHierarchy::Inherited`] is an explicit opt-in where admin ⊇ moderator ⊇ user.

use serde::{Deserialize, Serialize};

/// One of the three roles of the seed's `roles` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// `user`, id 1.
    User,
    /// `moderator`, id 2.
    Moderator,
    /// `admin`, id 3.
    Admin,
}

impl Role {
    /// Every role, in id order (the order the seed lists them in).
    pub const ALL: [Role; 3] = [Role::User, Role::Moderator, Role::Admin];

    /// The row id in the `roles` table.
    pub const fn id(self) -> i64 {
        match self {
            Role::User => 1,
            Role::Moderator => 2,
            Role::Admin => 3,
        }
    }

    /// The name stored in `roles.name` and in a token's `roles` claim.
    pub const fn name(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Moderator => "moderator",
            Role::Admin => "admin",
        }
    }

    /// The authority string the seed returns at signin (`ROLE_USER`, …).
    pub const fn authority(self) -> &'static str {
        match self {
            Role::User => "ROLE_USER",
            Role::Moderator => "ROLE_MODERATOR",
            Role::Admin => "ROLE_ADMIN",
        }
    }

    /// The role with this exact (case-sensitive) name, as the seed matches them.
    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == name)
    }

    /// The role with this `roles.id`.
    pub fn from_id(id: i64) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.id() == id)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Sorts and de-duplicates roles into id order, the order the seed's signin response uses.
pub fn normalize_roles(roles: &[Role]) -> Vec<Role> {
    let mut out = roles.to_vec();
    out.sort();
    out.dedup();
    out
}

/// The authorities of `roles`, in id order: `["ROLE_USER", "ROLE_MODERATOR"]`.
pub fn authorities(roles: &[Role]) -> Vec<String> {
    normalize_roles(roles)
        .into_iter()
        .map(|r| r.authority().to_owned())
        .collect()
}

/// Whether holding one role counts as holding others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RoleHierarchy {
    /// Each role stands alone, as in the seed (admin does not imply moderator).
    #[default]
    Flat,
    /// admin implies moderator, moderator implies user.
    Inherited,
}

impl RoleHierarchy {
    /// Whether `held` grants `wanted` under this hierarchy.
    pub fn grants(self, held: Role, wanted: Role) -> bool {
        match self {
            RoleHierarchy::Flat => held == wanted,
            RoleHierarchy::Inherited => held >= wanted,
        }
    }
}

/// What a protected route requires of the caller's roles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleRequirement {
    /// Any authenticated caller, whatever its roles (the seed's `/api/test/user`).
    Authenticated,
    /// At least one of these roles.
    AnyOf(Vec<Role>),
    /// Every one of these roles.
    AllOf(Vec<Role>),
}

impl RoleRequirement {
    /// The seed's `isModerator`.
    pub fn moderator() -> Self {
        RoleRequirement::AnyOf(vec![Role::Moderator])
    }

    /// The seed's `isAdmin`.
    pub fn admin() -> Self {
        RoleRequirement::AnyOf(vec![Role::Admin])
    }

    /// The seed's `isModeratorOrAdmin`.
    pub fn moderator_or_admin() -> Self {
        RoleRequirement::AnyOf(vec![Role::Moderator, Role::Admin])
    }

    /// Whether a caller holding `held` meets this requirement under `hierarchy`.
    pub fn is_met_by(&self, held: &[Role], hierarchy: RoleHierarchy) -> bool {
        let has = |wanted: Role| held.iter().any(|&h| hierarchy.grants(h, wanted));
        match self {
            RoleRequirement::Authenticated => true,
            RoleRequirement::AnyOf(wanted) => wanted.iter().any(|&w| has(w)),
            RoleRequirement::AllOf(wanted) => wanted.iter().all(|&w| has(w)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_is_not_moderator_by_default() {
        assert!(!RoleRequirement::moderator().is_met_by(&[Role::Admin], RoleHierarchy::Flat));
        assert!(RoleRequirement::admin().is_met_by(&[Role::Admin], RoleHierarchy::Flat));
    }

    #[test]
    fn inherited_hierarchy_lets_admin_pass_moderator_checks() {
        assert!(RoleRequirement::moderator().is_met_by(&[Role::Admin], RoleHierarchy::Inherited));
        assert!(!RoleRequirement::admin().is_met_by(&[Role::Moderator], RoleHierarchy::Inherited));
    }

    #[test]
    fn moderator_or_admin_accepts_either() {
        let req = RoleRequirement::moderator_or_admin();
        assert!(req.is_met_by(&[Role::Moderator], RoleHierarchy::Flat));
        assert!(req.is_met_by(&[Role::Admin], RoleHierarchy::Flat));
        assert!(!req.is_met_by(&[Role::User], RoleHierarchy::Flat));
        assert!(!req.is_met_by(&[], RoleHierarchy::Flat));
    }

    #[test]
    fn all_of_needs_every_role() {
        let req = RoleRequirement::AllOf(vec![Role::User, Role::Admin]);
        assert!(req.is_met_by(&[Role::Admin, Role::User], RoleHierarchy::Flat));
        assert!(!req.is_met_by(&[Role::Admin], RoleHierarchy::Flat));
    }

    #[test]
    fn authorities_come_in_seed_order_without_duplicates() {
        let roles = [Role::Admin, Role::User, Role::Admin, Role::Moderator];
        assert_eq!(
            authorities(&roles),
            ["ROLE_USER", "ROLE_MODERATOR", "ROLE_ADMIN"]
        );
    }

    #[test]
    fn role_names_match_case_sensitively_like_the_seed() {
        assert_eq!(Role::from_name("admin"), Some(Role::Admin));
        assert_eq!(Role::from_name("ADMIN"), None);
        assert_eq!(Role::from_id(2), Some(Role::Moderator));
    }
}
