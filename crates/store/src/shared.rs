//! The store implementation shared by both backends. SQL that is identical on SQLite and
//! PostgreSQL lives here once (both accept `$N` parameters, `RETURNING` and `ON CONFLICT`); the
//! macro stamps it out for each backend's concrete types so that every query is checked against
//! each driver. Backend-specific work (connecting, migrations, backup) stays in its own module.

use balai_domain::roles::{Role, RoleGrant, Scope};
use balai_domain::wilayah::{KodeWilayah, Level, Region};

use crate::{StoreError, StoreResult};

pub(crate) type RegionRow = (String, String, String, Option<String>);
pub(crate) type UserRow = (i64, String, String, String, String, String, bool);
pub(crate) type GrantRow = (i64, String, String, String);
pub(crate) type AuditRow = (i64, i64, String, String, String, String, String, String);

// Column lists as macros so that queries stay `&'static str` (sqlx refuses runtime-built SQL).
macro_rules! region_columns {
    () => {
        "code, name, level, parent_code"
    };
}
macro_rules! user_columns {
    () => {
        "id, username, full_name, email, nip, password_hash, active"
    };
}
macro_rules! audit_columns {
    () => {
        "seq, at_micros, actor, action, object, details, prev_hash, hash"
    };
}
pub(crate) use {audit_columns, region_columns, user_columns};

pub(crate) fn region_from_row((code, name, level, parent): RegionRow) -> StoreResult<Region> {
    let corrupt = |what: String| StoreError::Corrupt(format!("region {code}: {what}"));
    Ok(Region {
        code: KodeWilayah::parse(&code).map_err(|e| corrupt(e.to_string()))?,
        name: name.clone(),
        level: level.parse::<Level>().map_err(|e| corrupt(e.to_string()))?,
        parent: match parent.as_deref() {
            None | Some("") => None,
            Some(p) => Some(KodeWilayah::parse(p).map_err(|e| corrupt(e.to_string()))?),
        },
    })
}

pub(crate) fn grant_to_columns(grant: &RoleGrant) -> (&'static str, &'static str, String) {
    match &grant.scope {
        Scope::Wilayah(code) => (grant.role.as_str(), "wilayah", code.as_str().to_string()),
        Scope::Office(slug) => (grant.role.as_str(), "office", slug.clone()),
    }
}

pub(crate) fn grant_from_row((user_id, role, kind, value): &GrantRow) -> StoreResult<RoleGrant> {
    let corrupt = |what: String| StoreError::Corrupt(format!("grant of user {user_id}: {what}"));
    let role: Role = role.parse().map_err(|e: balai_domain::roles::UnknownRole| corrupt(e.to_string()))?;
    let scope = match kind.as_str() {
        "wilayah" => Scope::Wilayah(KodeWilayah::parse(value).map_err(|e| corrupt(e.to_string()))?),
        "office" => Scope::Office(value.clone()),
        other => return Err(corrupt(format!("unknown scope kind {other}"))),
    };
    RoleGrant::new(role, scope).map_err(|e| corrupt(e.to_string()))
}

pub(crate) fn user_from_rows(row: UserRow, grants: &[GrantRow]) -> StoreResult<crate::UserRecord> {
    let (id, username, full_name, email, nip, password_hash, active) = row;
    let grants = grants.iter().filter(|g| g.0 == id).map(grant_from_row).collect::<StoreResult<Vec<_>>>()?;
    Ok(crate::UserRecord { id, username, full_name, email, nip, password_hash, active, grants })
}

pub(crate) fn audit_from_row(row: AuditRow) -> balai_domain::audit::AuditRecord {
    let (seq, at_micros, actor, action, object, details, prev_hash, hash) = row;
    balai_domain::audit::AuditRecord { seq, at_micros, actor, action, object, details, prev_hash, hash }
}

/// Stamps out `append_audit` and `impl Store` for one backend. The type using it provides
/// `BACKEND`, `run_migrations`, `backup_to` and a `pool` field.
macro_rules! impl_store {
    ($store:ty, $db:ty) => {
        use $crate::shared::*;
        use $crate::*;
        use balai_domain::audit::{chain_hash, AuditRecord};
        use balai_domain::wilayah::{KodeWilayah, Region};
        use chrono::{DateTime, Utc};

        /// Appends one record to the audit chain inside `tx`. It updates the chain head first, so
        /// the transaction takes the write lock (SQLite) or the head row lock (PostgreSQL) before
        /// anything else and concurrent writers extend the chain one after the other.
        async fn append_audit(tx: &mut sqlx::Transaction<'static, $db>, event: &AuditEvent) -> StoreResult<()> {
            let (seq, prev_hash): (i64, String) = sqlx::query_as(
                "UPDATE audit_head SET last_seq = last_seq + 1 WHERE id = 1 RETURNING last_seq, last_hash",
            )
            .fetch_one(&mut **tx)
            .await?;
            let at_micros = event.at.timestamp_micros();
            let details = event.details.to_string();
            let hash = chain_hash(&prev_hash, seq, at_micros, &event.actor, &event.action, &event.object, &details);
            sqlx::query(
                "INSERT INTO audit_log (seq, at_micros, actor, action, object, details, prev_hash, hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(seq)
            .bind(at_micros)
            .bind(&event.actor)
            .bind(&event.action)
            .bind(&event.object)
            .bind(&details)
            .bind(&prev_hash)
            .bind(&hash)
            .execute(&mut **tx)
            .await?;
            // The trigger `audit_log_moves_head` sets the head's hash to this record's.
            Ok(())
        }

        async fn fetch_grants(
            pool: &sqlx::Pool<$db>,
            user_id: Option<i64>,
        ) -> StoreResult<Vec<GrantRow>> {
            let rows = match user_id {
                Some(id) => sqlx::query_as(
                    "SELECT user_id, role, scope_kind, scope_value FROM role_grants WHERE user_id = $1 ORDER BY role, scope_value",
                )
                .bind(id)
                .fetch_all(pool)
                .await?,
                None => sqlx::query_as(
                    "SELECT user_id, role, scope_kind, scope_value FROM role_grants ORDER BY user_id, role, scope_value",
                )
                .fetch_all(pool)
                .await?,
            };
            Ok(rows)
        }

        #[async_trait::async_trait]
        impl Store for $store {
            fn backend(&self) -> Backend {
                Self::BACKEND
            }

            async fn migrate(&self) -> StoreResult<()> {
                self.run_migrations().await
            }

            async fn ping(&self) -> StoreResult<()> {
                sqlx::query("SELECT 1").execute(&self.pool).await.map_err(StoreError::Unavailable)?;
                Ok(())
            }

            async fn backup(&self, dest: &std::path::Path) -> StoreResult<()> {
                self.backup_to(dest).await
            }

            async fn region(&self, code: &KodeWilayah) -> StoreResult<Option<Region>> {
                let row: Option<RegionRow> =
                    sqlx::query_as(concat!("SELECT ", region_columns!(), " FROM regions WHERE code = $1"))
                        .bind(code.as_str())
                        .fetch_optional(&self.pool)
                        .await?;
                row.map(region_from_row).transpose()
            }

            async fn region_with_ancestors(&self, code: &KodeWilayah) -> StoreResult<Vec<Region>> {
                // A code's ancestors are its prefixes, so one query finds the whole chain.
                let mut codes = vec![code.clone()];
                while let Some(parent) = codes.last().and_then(KodeWilayah::parent) {
                    codes.push(parent);
                }
                let code_at = |i: usize| codes.get(i).map(|c| c.as_str().to_string()).unwrap_or_default();
                let rows: Vec<RegionRow> = sqlx::query_as(concat!(
                    "SELECT ",
                    region_columns!(),
                    " FROM regions WHERE code IN ($1, $2, $3, $4, $5)"
                ))
                .bind(code_at(0))
                .bind(code_at(1))
                .bind(code_at(2))
                .bind(code_at(3))
                .bind(code_at(4))
                .fetch_all(&self.pool)
                .await?;
                let mut regions = rows.into_iter().map(region_from_row).collect::<StoreResult<Vec<_>>>()?;
                regions.sort_by_key(|r| r.code.depth());
                Ok(regions)
            }

            async fn top_regions(&self) -> StoreResult<Vec<Region>> {
                let rows: Vec<RegionRow> = sqlx::query_as(concat!("SELECT ", region_columns!(), " FROM regions WHERE parent_code IS NULL ORDER BY code"))
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(region_from_row).collect()
            }

            async fn region_children(&self, code: &KodeWilayah) -> StoreResult<Vec<Region>> {
                let rows: Vec<RegionRow> = sqlx::query_as(concat!("SELECT ", region_columns!(), " FROM regions WHERE parent_code = $1 ORDER BY code"))
                .bind(code.as_str())
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(region_from_row).collect()
            }

            async fn regions_within(&self, root: &KodeWilayah, max_depth: u8) -> StoreResult<Vec<Region>> {
                let rows: Vec<RegionRow> = sqlx::query_as(concat!("SELECT ", region_columns!(), " FROM regions \
                     WHERE (code = $1 OR code LIKE $2) AND depth <= $3 ORDER BY code"))
                .bind(root.as_str())
                .bind(format!("{}.%", root.as_str()))
                .bind(i32::from(max_depth))
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(region_from_row).collect()
            }

            async fn all_regions(&self) -> StoreResult<Vec<Region>> {
                let rows: Vec<RegionRow> =
                    sqlx::query_as(concat!("SELECT ", region_columns!(), " FROM regions ORDER BY code"))
                        .fetch_all(&self.pool)
                        .await?;
                rows.into_iter().map(region_from_row).collect()
            }

            async fn count_regions(&self) -> StoreResult<i64> {
                let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM regions").fetch_one(&self.pool).await?;
                Ok(n)
            }

            async fn upsert_regions(&self, regions: &[Region], audit: AuditEvent) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                append_audit(&mut tx, &audit).await?;
                // 5 binds a row; 500 rows stays far below either driver's parameter limit.
                for chunk in regions.chunks(500) {
                    let mut query = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO regions (code, name, level, parent_code, depth) ",
                    );
                    query.push_values(chunk, |mut row, region| {
                        row.push_bind(region.code.as_str().to_string())
                            .push_bind(region.name.clone())
                            .push_bind(region.level.as_str())
                            .push_bind(region.parent.as_ref().map(|p| p.as_str().to_string()))
                            .push_bind(i32::from(region.code.depth()));
                    });
                    query.push(
                        " ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level, \
                         parent_code = excluded.parent_code, depth = excluded.depth",
                    );
                    query.build().execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn village_profile(&self, code: &KodeWilayah) -> StoreResult<Option<VillageProfile>> {
                let row: Option<(String, String, String, String, String, String, DateTime<Utc>)> = sqlx::query_as(
                    "SELECT code, address, phone, email, head_name, maklumat, updated_at FROM village_profiles \
                     WHERE code = $1",
                )
                .bind(code.as_str())
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(|(code, address, phone, email, head_name, maklumat, updated_at)| VillageProfile {
                    code,
                    address,
                    phone,
                    email,
                    head_name,
                    maklumat,
                    updated_at: Some(updated_at),
                }))
            }

            async fn save_village_profile(&self, profile: &VillageProfile, audit: AuditEvent) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                append_audit(&mut tx, &audit).await?;
                sqlx::query(
                    "INSERT INTO village_profiles (code, address, phone, email, head_name, maklumat, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) \
                     ON CONFLICT (code) DO UPDATE SET address = excluded.address, phone = excluded.phone, \
                     email = excluded.email, head_name = excluded.head_name, maklumat = excluded.maklumat, \
                     updated_at = excluded.updated_at",
                )
                .bind(&profile.code)
                .bind(&profile.address)
                .bind(&profile.phone)
                .bind(&profile.email)
                .bind(&profile.head_name)
                .bind(&profile.maklumat)
                .bind(audit.at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn create_office(&self, office: &Office, audit: AuditEvent) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                append_audit(&mut tx, &audit).await?;
                sqlx::query(
                    "INSERT INTO offices (slug, name, regency_code, address, phone, email, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&office.slug)
                .bind(&office.name)
                .bind(office.regency.as_str())
                .bind(&office.address)
                .bind(&office.phone)
                .bind(&office.email)
                .bind(audit.at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn office(&self, slug: &str) -> StoreResult<Option<Office>> {
                Ok(self.offices_where(Some(slug)).await?.into_iter().next())
            }

            async fn offices(&self) -> StoreResult<Vec<Office>> {
                self.offices_where(None).await
            }

            async fn holidays(&self) -> StoreResult<Vec<StoredHoliday>> {
                let rows: Vec<(chrono::NaiveDate, String, String, String)> =
                    sqlx::query_as("SELECT date, name, kind, source FROM holidays ORDER BY date, name")
                        .fetch_all(&self.pool)
                        .await?;
                rows.into_iter()
                    .map(|(date, name, kind, source)| {
                        let kind = kind
                            .parse()
                            .map_err(|_| StoreError::Corrupt(format!("holiday {date}: unknown kind {kind}")))?;
                        Ok(StoredHoliday { holiday: balai_domain::calendar::Holiday { date, name, kind }, source })
                    })
                    .collect()
            }

            async fn add_holidays(&self, holidays: &[StoredHoliday], audit: AuditEvent) -> StoreResult<u64> {
                let mut tx = self.begin_write().await?;
                append_audit(&mut tx, &audit).await?;
                let mut added = 0;
                for h in holidays {
                    added += sqlx::query(
                        "INSERT INTO holidays (date, name, kind, source) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (date, name) DO NOTHING",
                    )
                    .bind(h.holiday.date)
                    .bind(&h.holiday.name)
                    .bind(h.holiday.kind.as_str())
                    .bind(&h.source)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                }
                tx.commit().await?;
                Ok(added)
            }

            async fn create_user(&self, user: &NewUser, audit: AuditEvent) -> StoreResult<i64> {
                let mut tx = self.begin_write().await?;
                append_audit(&mut tx, &audit).await?;
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO users (username, full_name, email, nip, password_hash, active, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(&user.username)
                .bind(&user.full_name)
                .bind(&user.email)
                .bind(&user.nip)
                .bind(&user.password_hash)
                .bind(true)
                .bind(audit.at)
                .fetch_one(&mut *tx)
                .await?;
                for grant in &user.grants {
                    let (role, kind, value) = grant_to_columns(grant);
                    sqlx::query(
                        "INSERT INTO role_grants (user_id, role, scope_kind, scope_value) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT DO NOTHING",
                    )
                    .bind(id)
                    .bind(role)
                    .bind(kind)
                    .bind(value)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(id)
            }

            async fn user(&self, id: i64) -> StoreResult<Option<UserRecord>> {
                let row: Option<UserRow> = sqlx::query_as(concat!("SELECT ", user_columns!(), " FROM users WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                match row {
                    None => Ok(None),
                    Some(row) => {
                        let grants = fetch_grants(&self.pool, Some(row.0)).await?;
                        user_from_rows(row, &grants).map(Some)
                    }
                }
            }

            async fn user_by_username(&self, username: &str) -> StoreResult<Option<UserRecord>> {
                let row: Option<UserRow> =
                    sqlx::query_as(concat!("SELECT ", user_columns!(), " FROM users WHERE username = $1"))
                        .bind(username)
                        .fetch_optional(&self.pool)
                        .await?;
                match row {
                    None => Ok(None),
                    Some(row) => {
                        let grants = fetch_grants(&self.pool, Some(row.0)).await?;
                        user_from_rows(row, &grants).map(Some)
                    }
                }
            }

            async fn users(&self) -> StoreResult<Vec<UserRecord>> {
                let rows: Vec<UserRow> =
                    sqlx::query_as(concat!("SELECT ", user_columns!(), " FROM users ORDER BY username"))
                        .fetch_all(&self.pool)
                        .await?;
                let grants = fetch_grants(&self.pool, None).await?;
                rows.into_iter().map(|row| user_from_rows(row, &grants)).collect()
            }

            async fn set_password(&self, user_id: i64, password_hash: &str, audit: AuditEvent) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                append_audit(&mut tx, &audit).await?;
                let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                    .bind(password_hash)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound(format!("user {user_id}")));
                }
                // A new password ends every session of the old one.
                sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn create_session(&self, session: &NewSession, audit: AuditEvent) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                append_audit(&mut tx, &audit).await?;
                sqlx::query(
                    "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(&session.token_hash)
                .bind(session.user_id)
                .bind(session.created_at)
                .bind(session.expires_at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn session_user(&self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<UserRecord>> {
                let row: Option<UserRow> = sqlx::query_as(
                    "SELECT u.id, u.username, u.full_name, u.email, u.nip, u.password_hash, u.active \
                     FROM sessions s JOIN users u ON u.id = s.user_id \
                     WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active",
                )
                .bind(token_hash)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
                match row {
                    None => Ok(None),
                    Some(row) => {
                        let grants = fetch_grants(&self.pool, Some(row.0)).await?;
                        user_from_rows(row, &grants).map(Some)
                    }
                }
            }

            async fn delete_session(&self, token_hash: &str, audit: AuditEvent) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                append_audit(&mut tx, &audit).await?;
                sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64> {
                Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                    .bind(now)
                    .execute(&self.pool)
                    .await?
                    .rows_affected())
            }

            async fn login_failures(&self, key: &str, since: DateTime<Utc>) -> StoreResult<Vec<DateTime<Utc>>> {
                let rows: Vec<(DateTime<Utc>,)> = sqlx::query_as(
                    "SELECT failed_at FROM login_failures WHERE key = $1 AND failed_at > $2 ORDER BY failed_at",
                )
                .bind(key)
                .bind(since)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(|(at,)| at).collect())
            }

            async fn record_login_failure(&self, keys: &[String], audit: AuditEvent) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                append_audit(&mut tx, &audit).await?;
                for key in keys {
                    sqlx::query("INSERT INTO login_failures (key, failed_at) VALUES ($1, $2)")
                        .bind(key)
                        .bind(audit.at)
                        .execute(&mut *tx)
                        .await?;
                }
                // Failures older than a day no longer matter to any lock.
                sqlx::query("DELETE FROM login_failures WHERE failed_at < $1")
                    .bind(audit.at - chrono::Duration::days(1))
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn clear_login_failures(&self, key: &str) -> StoreResult<()> {
                sqlx::query("DELETE FROM login_failures WHERE key = $1").bind(key).execute(&self.pool).await?;
                Ok(())
            }

            async fn record_audit(&self, audit: AuditEvent) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                append_audit(&mut tx, &audit).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn audit_head(&self) -> StoreResult<(i64, String)> {
                Ok(sqlx::query_as("SELECT last_seq, last_hash FROM audit_head WHERE id = 1")
                    .fetch_one(&self.pool)
                    .await?)
            }

            async fn audit_records(&self, after: i64, limit: i64) -> StoreResult<Vec<AuditRecord>> {
                let rows: Vec<AuditRow> = sqlx::query_as(concat!("SELECT ", audit_columns!(), " FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"))
                .bind(after)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(audit_from_row).collect())
            }

            async fn audit_recent(&self, object_prefix: &str, limit: i64) -> StoreResult<Vec<AuditRecord>> {
                let rows: Vec<AuditRow> = sqlx::query_as(concat!("SELECT ", audit_columns!(), " FROM audit_log WHERE object LIKE $1 ORDER BY seq DESC LIMIT $2"))
                .bind(format!("{object_prefix}%"))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(audit_from_row).collect())
            }
        }

        impl $store {
            async fn offices_where(&self, slug: Option<&str>) -> StoreResult<Vec<Office>> {
                let rows: Vec<(String, String, String, String, String, String)> = sqlx::query_as(
                    "SELECT slug, name, regency_code, address, phone, email FROM offices \
                     WHERE $1 IS NULL OR slug = $1 ORDER BY name",
                )
                .bind(slug)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(|(slug, name, regency, address, phone, email)| {
                        let regency = KodeWilayah::parse(&regency)
                            .map_err(|e| StoreError::Corrupt(format!("office {slug}: {e}")))?;
                        Ok(Office { slug, name, regency, address, phone, email })
                    })
                    .collect()
            }
        }
    };
}

pub(crate) use impl_store;
