//! Webhook secrets at rest (issue 18, ADR 0034). A receiver checks the
//! signature with the secret, so Kaidan must be able to read it back: it is
//! encrypted (ChaCha20-Poly1305) under a key that lives outside the
//! database (`[events] key_file`, or `KAIDAN_EVENTS_KEY`). A copy of the
//! database alone does not give the secrets away.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::RngCore;

/// What a sealed secret starts with: the format's version.
const PREFIX: &str = "v1:";
/// Bound to every sealed text, so a ciphertext made for something else
/// under the same key does not open as a secret.
const CONTEXT: &[u8] = b"kaidan webhook secret";
const NONCE_LEN: usize = 12;

/// The 32-byte key secrets are sealed with. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct SealKey([u8; 32]);

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealKey(…)")
    }
}

/// Why a key or a sealed secret could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("the events key must be 64 hexadecimal digits (32 bytes), {0}")]
    BadKey(String),
    #[error(
        "a webhook secret cannot be opened: it was sealed under another events key, or it is damaged"
    )]
    CannotOpen,
    #[error(
        "no events key is configured, so the webhook secret cannot be opened: set [events] key_file or KAIDAN_EVENTS_KEY"
    )]
    NoKey,
}

impl SealKey {
    /// A key from its 64 hexadecimal digits (surrounding white space is
    /// ignored, so a key file may end with a line break).
    pub fn from_hex(text: &str) -> Result<SealKey, SealError> {
        let bytes = hex::decode(text.trim())
            .map_err(|e| SealError::BadKey(format!("but it is not hexadecimal ({e})")))?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|b: Vec<u8>| SealError::BadKey(format!("but it has {} bytes", b.len())))?;
        Ok(SealKey(key))
    }

    /// A new random key, as its 64 hexadecimal digits.
    pub fn generate_hex() -> String {
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        hex::encode(key)
    }

    fn cipher(&self) -> ChaCha20Poly1305 {
        ChaCha20Poly1305::new(Key::from_slice(&self.0))
    }

    /// The secret, sealed: `v1:` and base64 of a fresh nonce and the
    /// ciphertext with its tag.
    pub fn seal(&self, secret: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let payload = Payload {
            msg: secret.as_bytes(),
            aad: CONTEXT,
        };
        // Encryption fails only for a message beyond 256 GiB; a secret is
        // 70 bytes, so the empty fallback is never taken (it would then
        // fail to open, loudly, rather than leak anything).
        let sealed = self
            .cipher()
            .encrypt(Nonce::from_slice(&nonce), payload)
            .unwrap_or_default();
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        format!("{PREFIX}{}", STANDARD.encode(bytes))
    }

    /// The secret a [`SealKey::seal`] text holds.
    pub fn open(&self, sealed: &str) -> Result<String, SealError> {
        let bytes = sealed
            .strip_prefix(PREFIX)
            .and_then(|b| STANDARD.decode(b).ok())
            .filter(|b| b.len() > NONCE_LEN)
            .ok_or(SealError::CannotOpen)?;
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let plain = self
            .cipher()
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: CONTEXT,
                },
            )
            .map_err(|_| SealError::CannotOpen)?;
        String::from_utf8(plain).map_err(|_| SealError::CannotOpen)
    }
}

/// A new webhook secret: `whsec_` and 32 random bytes in hexadecimal.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("whsec_{}", hex::encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_5_a_sealed_secret_opens_only_with_its_key_and_never_holds_the_secret() {
        let key = SealKey::from_hex(&SealKey::generate_hex()).unwrap();
        let other = SealKey::from_hex(&SealKey::generate_hex()).unwrap();
        let secret = new_secret();
        let sealed = key.seal(&secret);
        assert!(!sealed.contains(&secret[6..]));
        assert_ne!(sealed, key.seal(&secret), "a fresh nonce each time");
        assert_eq!(key.open(&sealed).unwrap(), secret);
        assert_eq!(other.open(&sealed), Err(SealError::CannotOpen));
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(key.open(&tampered), Err(SealError::CannotOpen));
        assert_eq!(key.open("plain"), Err(SealError::CannotOpen));
    }

    #[test]
    fn int_5_a_key_is_64_hex_digits() {
        assert!(SealKey::from_hex(&format!("{}\n", "ab".repeat(32))).is_ok());
        assert!(
            matches!(SealKey::from_hex("abcd"), Err(SealError::BadKey(m)) if m.contains("2 bytes"))
        );
        assert!(SealKey::from_hex(&"zz".repeat(32)).is_err());
        assert_eq!(format!("{:?}", SealKey([7; 32])), "SealKey(…)");
    }
}
