//! The installation's signing key (`ADESAO_SIGNING_KEY` or its key file), which seals the
//! signature provider's private keys at rest.

use std::path::PathBuf;

use crate::config::ConfigError;

/// Where the installation's signing key comes from.
#[derive(Clone)]
pub enum SigningKeySource {
    /// `ADESAO_SIGNING_KEY`: 64 hex digits.
    Key([u8; 32]),
    /// A file holding the 64 hex digits, made (mode 0600) with a random key on first start.
    File(PathBuf),
}

impl std::fmt::Debug for SigningKeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SigningKeySource::Key(_) => f.write_str("Key(…)"),
            SigningKeySource::File(path) => write!(f, "File({})", path.display()),
        }
    }
}

impl SigningKeySource {
    /// The key: read, or for a missing file made and written first (readable by the owner
    /// only).
    pub fn load(&self) -> Result<[u8; 32], ConfigError> {
        let path = match self {
            SigningKeySource::Key(key) => return Ok(*key),
            SigningKeySource::File(path) => path,
        };
        let problem = |problem: String| ConfigError {
            variable: "ADESAO_SIGNING_KEY_FILE",
            problem,
        };
        match std::fs::read_to_string(path) {
            Ok(text) => parse_signing_key(text.trim())
                .map_err(|p| problem(format!("{}: {p}", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let text = adesao_services::secret::random_token();
                write_private(path, &text)
                    .map_err(|e| problem(format!("cannot create {}: {e}", path.display())))?;
                tracing::info!(path = %path.display(), "signing key created");
                parse_signing_key(&text).map_err(problem)
            }
            Err(e) => Err(problem(format!("cannot read {}: {e}", path.display()))),
        }
    }
}

/// Writes `text` to a new file that only its owner may read.
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(format!("{text}\n").as_bytes())?;
    file.sync_all()
}

/// 64 hex digits → 32 bytes.
pub(crate) fn parse_signing_key(text: &str) -> Result<[u8; 32], String> {
    hex::decode(text)
        .ok()
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        .ok_or_else(|| "expected 64 hexadecimal digits (32 random bytes)".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_lookup(|name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn the_signing_key_from_the_environment_or_a_private_file_made_once() {
        let key = "ab".repeat(32);
        let c = config(&[("ADESAO_SIGNING_KEY", &key)]).unwrap();
        assert_eq!(c.signing_key.load().unwrap(), [0xab; 32]);
        assert!(!format!("{c:?}").contains(&key), "no key in Debug");
        let e = config(&[("ADESAO_SIGNING_KEY", "abc")]).unwrap_err();
        assert_eq!(e.variable, "ADESAO_SIGNING_KEY");
        let c = config(&[]).unwrap();
        assert!(
            matches!(&c.signing_key, SigningKeySource::File(p) if p == std::path::Path::new(Config::DEFAULT_SIGNING_KEY_FILE))
        );

        let dir = std::env::temp_dir().join(format!("adesao-key-{}", std::process::id()));
        let path = dir.join("sub").join("signing.key");
        let file = format!("{}", path.display());
        let c = config(&[("ADESAO_SIGNING_KEY_FILE", &file)]).unwrap();
        let made = c.signing_key.load().unwrap();
        assert_eq!(c.signing_key.load().unwrap(), made, "made once, then read");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, "not a key").unwrap();
        assert_eq!(
            c.signing_key.load().unwrap_err().variable,
            "ADESAO_SIGNING_KEY_FILE"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
