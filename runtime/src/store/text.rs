//! Columns that hold one of a fixed set of words.

/// An enum whose variants are stored as fixed words: the same text in SQL (`sqlx::Type`, a
/// `TEXT` column in both databases), in JSON (serde) and in Rust (`as_str`, `Display`,
/// `FromStr`). The words are what earlier versions stored, so existing rows read.
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:tt,)+ }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, sqlx::Type,
        )]
        #[sqlx(type_name = "TEXT")]
        $vis enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] #[sqlx(rename = $text)] $variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::store::UnknownValue;

            fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::store::UnknownValue {
                        kind: stringify!($name),
                        value: s.to_string(),
                    }),
                }
            }
        }
    };
}
pub(crate) use text_enum;
