//! The identity columns `users.username_key` / `users.email_key`: the canonical keys of
//! `authcore::identity`, each with a plain UNIQUE index, on both backends. Lookups and the
//! signup duplicate checks go through them, never through a collation.
//!
//! Older databases (authd's SQLite files with the `authd_ci` collation, MariaDB databases of the
//! seed or of earlier authd versions) are migrated in place at start: the columns and indexes are
//! added and filled row by row in id order; no row is changed otherwise or dropped.
//!
//! **Rows that collide under the keys** (the seed had no UNIQUE index; `ｂｏｂ` and `bob` were
//! distinct before): the lowest id keeps the key — the row the seed's lookups found first. Each
//! later row keeps its data, roles and tokens but gets no key (NULL): it signs in only with its
//! username spelled exactly as stored, byte for byte, and its email no longer blocks signups (the
//! key holder's does). A later row whose username is byte-identical to an earlier one cannot be
//! reached by name, as in the seed. One warning at each start lists the ids until an operator
//! renames or merges them.

/// Rows that could not get their key because an earlier row holds it.
#[derive(Debug, Default)]
pub(super) struct Collisions {
    /// `(holder id, colliding id)` by username key; holder 0: the key is longer than the column.
    pub(super) usernames: Vec<(i64, i64)>,
    /// `(holder id, colliding id)` by email key; holder 0 as above.
    pub(super) emails: Vec<(i64, i64)>,
}

impl Collisions {
    /// Logs the one warning (ids only: names and emails are personal data), if any collided.
    pub(super) fn warn(&self) {
        if self.usernames.is_empty() && self.emails.is_empty() {
            return;
        }
        tracing::warn!(
            username_collisions = %pairs(&self.usernames),
            email_collisions = %pairs(&self.emails),
            "users whose usernames or emails are the same under the canonical form \
             (holder id <- colliding ids; holder 0: key too long to store): the holder keeps the \
             name; each colliding user signs in only with its username spelled exactly as stored. \
             Rename or merge them to resolve"
        );
    }
}

/// Most colliding ids named in the warning; the rest are counted.
const MAX_LISTED: usize = 100;

/// `1<-4,9; 2<-7` (holders in order of first appearance), at most [`MAX_LISTED`] colliding ids
/// and then `; +N more`.
fn pairs(all: &[(i64, i64)]) -> String {
    let (pairs, more) = all.split_at(all.len().min(MAX_LISTED));
    let mut groups: Vec<(i64, Vec<String>)> = Vec::new();
    for &(holder, id) in pairs {
        match groups.iter_mut().find(|(h, _)| *h == holder) {
            Some((_, ids)) => ids.push(id.to_string()),
            None => groups.push((holder, vec![id.to_string()])),
        }
    }
    let mut groups: Vec<String> = groups
        .into_iter()
        .map(|(holder, ids)| format!("{holder}<-{}", ids.join(",")))
        .collect();
    if !more.is_empty() {
        groups.push(format!("+{} more", more.len()));
    }
    groups.join("; ")
}

/// One row to fill: its id, and the keys still missing (`None` when present or not applicable).
pub(super) struct Pending {
    pub(super) id: i64,
    pub(super) username_key: Option<String>,
    pub(super) email_key: Option<String>,
}

impl Pending {
    /// The row's missing keys from its stored values.
    pub(super) fn new(
        id: i64,
        username: Option<String>,
        email: Option<String>,
        needs_username_key: bool,
        needs_email_key: bool,
    ) -> Pending {
        Pending {
            id,
            username_key: username
                .filter(|_| needs_username_key)
                .map(|u| authcore::identity::username_key(&u)),
            email_key: email
                .filter(|_| needs_email_key)
                .map(|e| authcore::identity::email_key(&e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_group_colliding_ids_by_holder() {
        assert_eq!(pairs(&[(1, 4), (2, 7), (1, 9)]), "1<-4,9; 2<-7");
        assert_eq!(pairs(&[]), "");
    }

    #[test]
    fn pairs_name_at_most_100_ids() {
        let many: Vec<(i64, i64)> = (0..250).map(|i| (i, i + 1000)).collect();
        let text = pairs(&many);
        assert!(text.ends_with("; 99<-1099; +150 more"), "{text}");
    }
}
