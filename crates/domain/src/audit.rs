//! Tamper-evident audit log: each record carries the hash of the one before it.

use sha2::{Digest, Sha256};
use thiserror::Error;

/// `prev_hash` of the first record.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Tag that starts every hashed message, so these hashes cannot be confused with others.
const DOMAIN_TAG: &[u8] = b"balai-audit-v1";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub seq: i64,
    /// Time in microseconds since the Unix epoch (UTC).
    pub at_micros: i64,
    pub actor: String,
    pub action: String,
    pub object: String,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditRecord {
    /// The record that follows `prev` (or the first record), with its hash computed.
    pub fn next_after(
        prev: Option<&AuditRecord>,
        at_micros: i64,
        actor: &str,
        action: &str,
        object: &str,
        details: &str,
    ) -> AuditRecord {
        let (seq, prev_hash) = match prev {
            Some(p) => (p.seq + 1, p.hash.clone()),
            None => (1, GENESIS_HASH.to_string()),
        };
        let hash = chain_hash(&prev_hash, seq, at_micros, actor, action, object, details);
        AuditRecord {
            seq,
            at_micros,
            actor: actor.to_string(),
            action: action.to_string(),
            object: object.to_string(),
            details: details.to_string(),
            prev_hash,
            hash,
        }
    }
}

/// Lowercase hex SHA-256 over `"balai-audit-v1"`, then each field in order: `prev_hash`, `seq`,
/// `at_micros`, `actor`, `action`, `object`, `details`. Integers are 8 bytes big-endian; strings
/// are their UTF-8 length as 8 bytes big-endian followed by their bytes, so no two different
/// records encode the same.
pub fn chain_hash(
    prev_hash: &str,
    seq: i64,
    at_micros: i64,
    actor: &str,
    action: &str,
    object: &str,
    details: &str,
) -> String {
    fn field(h: &mut Sha256, s: &str) {
        h.update((s.len() as u64).to_be_bytes());
        h.update(s.as_bytes());
    }
    let mut h = Sha256::new();
    h.update(DOMAIN_TAG);
    field(&mut h, prev_hash);
    h.update(seq.to_be_bytes());
    h.update(at_micros.to_be_bytes());
    for s in [actor, action, object, details] {
        field(&mut h, s);
    }
    hex::encode(h.finalize())
}

/// Where and how a chain was found broken.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ChainBreak {
    #[error("audit chain: expected record {expected}, found {found} (records missing or out of order)")]
    SeqGap { expected: i64, found: i64 },
    #[error("audit chain: record {seq} does not point at the hash of the record before it")]
    PrevMismatch { seq: i64 },
    #[error("audit chain: record {seq} has been altered (its hash does not match its contents)")]
    HashMismatch { seq: i64 },
    #[error(
        "audit chain: the log ends at record {last_seq}, but the recorded head is record \
         {head_seq} (trailing records deleted or head out of date)"
    )]
    HeadMismatch { head_seq: i64, last_seq: i64 },
}

/// Checks a whole chain in order: sequence numbers 1, 2, 3, …; each `prev_hash` is the hash
/// before it (`GENESIS_HASH` first); each hash recomputes. `head`, the last seq and hash kept
/// elsewhere, catches deleted trailing records; with no records its seq must be 0 (its hash is
/// then not compared). Returns how many records were checked.
pub fn verify_chain<'a>(
    records: impl IntoIterator<Item = &'a AuditRecord>,
    head: Option<(i64, &str)>,
) -> Result<u64, ChainBreak> {
    let mut checked: u64 = 0;
    let mut last: Option<&AuditRecord> = None;
    for r in records {
        let expected = last.map_or(1, |l| l.seq + 1);
        if r.seq != expected {
            return Err(ChainBreak::SeqGap { expected, found: r.seq });
        }
        let prev_hash = last.map_or(GENESIS_HASH, |l| l.hash.as_str());
        if r.prev_hash != prev_hash {
            return Err(ChainBreak::PrevMismatch { seq: r.seq });
        }
        let recomputed = chain_hash(&r.prev_hash, r.seq, r.at_micros, &r.actor, &r.action, &r.object, &r.details);
        if r.hash != recomputed {
            return Err(ChainBreak::HashMismatch { seq: r.seq });
        }
        checked += 1;
        last = Some(r);
    }

    if let Some((head_seq, head_hash)) = head {
        let matches = match last {
            Some(l) => l.seq == head_seq && l.hash == head_hash,
            None => head_seq == 0,
        };
        if !matches {
            return Err(ChainBreak::HeadMismatch { head_seq, last_seq: last.map_or(0, |l| l.seq) });
        }
    }
    Ok(checked)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: usize) -> Vec<AuditRecord> {
        let mut records: Vec<AuditRecord> = Vec::new();
        for i in 0..n {
            let r = AuditRecord::next_after(
                records.last(),
                1_773_705_600_000_000 + i as i64 * 1_000_000,
                "operator:7",
                "letter.issue",
                &format!("letter:{i}"),
                "{\"nomor\":\"470/012/2001/III/2026\"}",
            );
            records.push(r);
        }
        records
    }

    fn head(records: &[AuditRecord]) -> Option<(i64, &str)> {
        records.last().map(|r| (r.seq, r.hash.as_str()))
    }

    #[test]
    fn genesis_and_hash_shape() {
        assert_eq!(GENESIS_HASH.len(), 64);
        assert!(GENESIS_HASH.bytes().all(|b| b == b'0'));
        let h = chain_hash(GENESIS_HASH, 1, 0, "a", "b", "c", "d");
        assert_eq!(h.len(), 64);
        assert!(h.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        // Deterministic, and a field boundary cannot be moved without changing the hash.
        assert_eq!(h, chain_hash(GENESIS_HASH, 1, 0, "a", "b", "c", "d"));
        assert_ne!(h, chain_hash(GENESIS_HASH, 1, 0, "ab", "", "c", "d"));
        assert_ne!(h, chain_hash(GENESIS_HASH, 1, 0, "a", "bc", "", "d"));
        assert_ne!(h, chain_hash(GENESIS_HASH, 2, 0, "a", "b", "c", "d"));
    }

    #[test]
    fn intact_chain() {
        let records = chain(5);
        assert_eq!(records[0].prev_hash, GENESIS_HASH);
        assert_eq!(records[4].seq, 5);
        assert_eq!(verify_chain(&records, None), Ok(5));
        assert_eq!(verify_chain(&records, head(&records)), Ok(5));
        assert_eq!(verify_chain(&[], None), Ok(0));
        assert_eq!(verify_chain(&[], Some((0, GENESIS_HASH))), Ok(0));
    }

    #[test]
    fn edited_field_is_detected() {
        let mut records = chain(5);
        records[2].details = "{\"nomor\":\"470/013/2001/III/2026\"}".to_string();
        assert_eq!(verify_chain(&records, None), Err(ChainBreak::HashMismatch { seq: 3 }));

        // Recomputing the edited record's hash breaks the link to the next one instead.
        let r = &records[2];
        records[2].hash = chain_hash(&r.prev_hash, r.seq, r.at_micros, &r.actor, &r.action, &r.object, &r.details);
        assert_eq!(verify_chain(&records, None), Err(ChainBreak::PrevMismatch { seq: 4 }));
    }

    #[test]
    fn deleted_middle_row_is_detected() {
        let mut records = chain(5);
        records.remove(2);
        assert_eq!(verify_chain(&records, None), Err(ChainBreak::SeqGap { expected: 3, found: 4 }));
    }

    #[test]
    fn deleted_first_row_is_detected() {
        let records = chain(3);
        assert_eq!(verify_chain(&records[1..], None), Err(ChainBreak::SeqGap { expected: 1, found: 2 }));
    }

    #[test]
    fn deleted_last_row_is_detected_through_the_head() {
        let records = chain(5);
        let head = head(&records);
        let truncated = &records[..4];
        // Without the head the shorter chain is consistent in itself.
        assert_eq!(verify_chain(truncated, None), Ok(4));
        assert_eq!(verify_chain(truncated, head), Err(ChainBreak::HeadMismatch { head_seq: 5, last_seq: 4 }));
        assert_eq!(verify_chain(&[], head), Err(ChainBreak::HeadMismatch { head_seq: 5, last_seq: 0 }));
        // Same length, different last hash.
        assert_eq!(
            verify_chain(&records, Some((5, GENESIS_HASH))),
            Err(ChainBreak::HeadMismatch { head_seq: 5, last_seq: 5 })
        );
    }
}
