//! The modulo-11 check digit shared by CPF and CNPJ.

/// Check digit over `values` with `weights` (same length): remainder of the weighted sum by 11;
/// 0 or 1 give 0, otherwise 11 minus the remainder.
pub(crate) fn mod11(values: &[u32], weights: &[u32]) -> u32 {
    debug_assert_eq!(values.len(), weights.len());
    let sum: u32 = values.iter().zip(weights).map(|(v, w)| v * w).sum();
    let r = sum % 11;
    if r < 2 { 0 } else { 11 - r }
}

/// Removes the punctuation users type around document numbers (`.`, `-`, `/` and blanks).
pub(crate) fn strip_punctuation(input: &str) -> String {
    input
        .chars()
        .filter(|c| !matches!(c, '.' | '-' | '/' | ' ' | '\t'))
        .collect()
}
