//! Knob values as text: the domain each knob accepts, and how each value type parses, checks
//! and prints itself so that a value survives a trip through a link unchanged.

use std::fmt;

/// The values a knob accepts. Ranges are inclusive.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Domain {
    Int {
        min: u64,
        max: u64,
    },
    /// `log`: the control moves on a log scale (learning rates, temperatures).
    Float {
        min: f32,
        max: f32,
        log: bool,
    },
    Bool,
    Choice(&'static [&'static str]),
}

/// A knob that could not be set: which one, the text given, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamError {
    pub key: String,
    pub value: String,
    pub reason: String,
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={:?}: {}", self.key, self.value, self.reason)
    }
}

impl std::error::Error for ParamError {}

/// A value type a knob can have: parses and checks a URL string against its domain, and
/// formats itself so that parsing the text gives the same value back.
pub trait ParamValue: Sized {
    fn parse_value(text: &str, domain: &Domain) -> Result<Self, String>;
    fn format_value(&self) -> String;
}

fn parse_int(text: &str, domain: &Domain) -> Result<u64, String> {
    let Domain::Int { min, max } = *domain else {
        unreachable!("integer knob without Int domain")
    };
    let v: u64 = text
        .trim()
        .parse()
        .map_err(|_| format!("not a whole number (expected {min}..={max})"))?;
    if v < min || v > max {
        return Err(format!("out of range {min}..={max}"));
    }
    Ok(v)
}

impl ParamValue for u64 {
    fn parse_value(text: &str, domain: &Domain) -> Result<Self, String> {
        parse_int(text, domain)
    }
    fn format_value(&self) -> String {
        self.to_string()
    }
}

impl ParamValue for usize {
    fn parse_value(text: &str, domain: &Domain) -> Result<Self, String> {
        parse_int(text, domain).map(|v| v as usize)
    }
    fn format_value(&self) -> String {
        self.to_string()
    }
}

impl ParamValue for f32 {
    fn parse_value(text: &str, domain: &Domain) -> Result<Self, String> {
        let Domain::Float { min, max, .. } = *domain else {
            unreachable!("float knob without Float domain")
        };
        let v: f32 = text
            .trim()
            .parse()
            .map_err(|_| format!("not a number (expected {min}..={max})"))?;
        if !v.is_finite() {
            return Err("not a finite number".into());
        }
        if v < min || v > max {
            return Err(format!("out of range {min}..={max}"));
        }
        Ok(v)
    }
    fn format_value(&self) -> String {
        // Rust prints the shortest text that parses back to the same f32.
        self.to_string()
    }
}

impl ParamValue for bool {
    fn parse_value(text: &str, _: &Domain) -> Result<Self, String> {
        match text.trim() {
            "1" | "true" | "on" | "yes" => Ok(true),
            "0" | "false" | "off" | "no" => Ok(false),
            _ => Err("not a boolean (expected 0 or 1)".into()),
        }
    }
    fn format_value(&self) -> String {
        if *self { "1" } else { "0" }.into()
    }
}

/// Declares a closed set of named values (a select control) with its URL spellings.
macro_rules! choice_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize,
        )]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub const NAMES: &'static [&'static str] = &[$($text),+];
            pub fn name(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl $crate::params::ParamValue for $name {
            fn parse_value(text: &str, _: &$crate::params::Domain) -> Result<Self, String> {
                match text.trim() {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!("unknown choice (expected one of {})", Self::NAMES.join(", "))),
                }
            }
            fn format_value(&self) -> String {
                self.name().into()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}
pub(crate) use choice_enum;
