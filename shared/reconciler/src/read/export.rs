use std::path::Path;

use qs_model::config::Config;
use qs_model::message::Change;
use qs_model::message::file::{self, FileError, Op};
use qs_model::validate::ProviderKind;

use crate::{Directory, DirectoryUser};

/// An identity provider's export in qs-enqueue's upsert format (CSV or JSON Lines): every row a
/// user. `issuer` is the provider URL its users have in QuickSight, when the configuration does
/// not give one; rows without a `provider_url` get it. A row that cannot be read makes the
/// directory incomplete: the user it names is unknown, so nothing is deleted.
pub fn export(config: &Config, path: &Path, issuer: Option<&str>) -> Result<Directory, FileError> {
    let file = file::read(path, Op::Upsert)?;
    let issuer = match config.external_login_provider {
        ProviderKind::None => None,
        _ => config.reported_provider_url().or(issuer).map(str::to_owned),
    };
    let mut directory = Directory {
        issuer: issuer.clone(),
        ..Directory::default()
    };
    let mut unreadable = 0;
    for row in file.rows {
        let change = row.change.map(|change| match change {
            Change::Upsert(mut upsert) if config.custom_federation_provider_url.is_none() => {
                upsert.provider_url = upsert.provider_url.or_else(|| issuer.clone());
                Change::Upsert(upsert)
            }
            other => other,
        });
        unreadable += usize::from(change.is_err());
        directory.users.push(DirectoryUser {
            source: format!("{}:{}", path.display(), row.line),
            login_id: match &change {
                Ok(Change::Upsert(upsert)) => upsert.external_login_id.clone(),
                _ => None,
            },
            active: true,
            change,
        });
    }
    if unreadable > 0 {
        directory.incomplete = Some(format!("{unreadable} row(s) of {} are invalid", path.display()));
    }
    Ok(directory)
}

#[cfg(test)]
mod tests {
    use qs_model::message::Change;
    use qs_testing as testing;

    #[test]
    fn rows_get_the_exports_provider_url_and_an_unreadable_row_makes_the_directory_incomplete() {
        let dir = std::env::temp_dir().join(format!("qs-export-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("users.csv");
        std::fs::write(
            &path,
            "email,external_login_id\nana@example.com,s-1\nnot an e-mail,s-2\n",
        )
        .unwrap();
        let config = testing::config(&[("EXTERNAL_LOGIN_PROVIDER", "CUSTOM_OIDC")]);

        let directory = super::export(&config, &path, Some("https://login.example.com")).unwrap();

        assert_eq!(directory.issuer.as_deref(), Some("https://login.example.com"));
        match &directory.users[0].change {
            Ok(Change::Upsert(u)) => assert_eq!(u.provider_url.as_deref(), Some("https://login.example.com")),
            other => panic!("{other:?}"),
        }
        assert_eq!(directory.users[0].login_id.as_deref(), Some("s-1"));
        assert!(directory.incomplete.as_deref().unwrap().starts_with("1 row(s)"));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
