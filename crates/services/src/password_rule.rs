//! How strong a new password must be, judged by zxcvbn (Dropbox's estimator of how many
//! guesses a password takes) rather than by composition rules, as NIST SP 800-63B advises:
//! long enough, not common, not built from the person's own name, CPF or e-mail.

use zxcvbn::Score;
use zxcvbn::feedback::{Suggestion, Warning};

/// The fewest characters a new password may have.
pub const MIN_CHARS: usize = 10;
/// The most (Argon2 hashes any length, but a megabyte "password" is an attack).
pub const MAX_CHARS: usize = 128;

/// What the person reads above the field: the rule, stated once.
pub const RULE: &str = "A senha deve ter ao menos 10 caracteres e ser difícil de adivinhar: uma frase de três ou quatro palavras que não formem uma expressão comum é uma boa escolha. Não use seu nome, CPF, e-mail ou senhas conhecidas.";

/// Checks a new password; the error explains in pt-BR what to change. `personal` are words
/// of the person (name, CPF, e-mail) that make a password easy to guess for someone who knows
/// them.
pub fn check(password: &str, personal: &[&str]) -> Result<(), String> {
    let chars = password.chars().count();
    if chars == 0 {
        return Err("Informe a nova senha.".into());
    }
    if chars < MIN_CHARS {
        return Err(format!(
            "A senha deve ter ao menos {MIN_CHARS} caracteres (esta tem {chars})."
        ));
    }
    if chars > MAX_CHARS {
        return Err(format!("A senha pode ter até {MAX_CHARS} caracteres."));
    }
    if password.chars().any(char::is_control) {
        return Err("A senha não pode conter caracteres de controle.".into());
    }
    // zxcvbn compares in lower case, and ranks its user inputs by position (a later duplicate
    // would rank a word as rarer): each personal text whole, joined and word by word, then the
    // system's own words, each once.
    let mut words: Vec<String> = Vec::new();
    for text in personal {
        let text = text.to_lowercase();
        words.extend(
            text.split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.chars().count() >= 3)
                .map(str::to_owned),
        );
        words.push(text.chars().filter(|c| c.is_alphanumeric()).collect());
        words.push(text);
    }
    words.extend(["adesao", "adesão", "conecta", "gov", "senha", "governo"].map(str::to_owned));
    let mut seen = std::collections::HashSet::new();
    words.retain(|w| seen.insert(w.clone()));
    let inputs: Vec<&str> = words.iter().map(String::as_str).collect();
    let entropy = zxcvbn::zxcvbn(password, &inputs);
    if entropy.score() >= Score::Three {
        return Ok(());
    }
    let mut message = String::from("Esta senha é fácil de adivinhar.");
    if let Some(feedback) = entropy.feedback() {
        if let Some(w) = feedback.warning() {
            message.push(' ');
            message.push_str(warning(w));
        }
        for s in feedback.suggestions() {
            message.push(' ');
            message.push_str(suggestion(*s));
        }
    }
    if !message.contains("palavras") {
        message.push_str(" Use uma frase de três ou quatro palavras incomuns.");
    }
    Err(message)
}

fn warning(w: Warning) -> &'static str {
    match w {
        Warning::StraightRowsOfKeysAreEasyToGuess => {
            "Sequências de teclas vizinhas são fáceis de adivinhar."
        }
        Warning::ShortKeyboardPatternsAreEasyToGuess => {
            "Padrões curtos do teclado são fáceis de adivinhar."
        }
        Warning::RepeatsLikeAaaAreEasyToGuess => "Repetições como “aaa” são fáceis de adivinhar.",
        Warning::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess => {
            "Repetições como “abcabc” são só um pouco mais difíceis de adivinhar que “abc”."
        }
        Warning::ThisIsATop10Password
        | Warning::ThisIsATop100Password
        | Warning::ThisIsACommonPassword => "Esta é uma das senhas mais usadas.",
        Warning::ThisIsSimilarToACommonlyUsedPassword => {
            "Esta senha é parecida com uma das mais usadas."
        }
        Warning::SequencesLikeAbcAreEasyToGuess => {
            "Sequências como “abc” ou “6543” são fáceis de adivinhar."
        }
        Warning::RecentYearsAreEasyToGuess => "Anos recentes são fáceis de adivinhar.",
        Warning::AWordByItselfIsEasyToGuess => "Uma palavra sozinha é fácil de adivinhar.",
        Warning::DatesAreOftenEasyToGuess => "Datas são fáceis de adivinhar.",
        Warning::NamesAndSurnamesByThemselvesAreEasyToGuess
        | Warning::CommonNamesAndSurnamesAreEasyToGuess => {
            "Nomes e sobrenomes são fáceis de adivinhar, sobretudo os seus."
        }
    }
}

fn suggestion(s: Suggestion) -> &'static str {
    match s {
        Suggestion::UseAFewWordsAvoidCommonPhrases => {
            "Use algumas palavras e evite expressões comuns."
        }
        Suggestion::NoNeedForSymbolsDigitsOrUppercaseLetters => {
            "Não é preciso usar símbolos, números ou maiúsculas."
        }
        Suggestion::AddAnotherWordOrTwo => "Acrescente mais uma ou duas palavras incomuns.",
        Suggestion::CapitalizationDoesntHelpVeryMuch => "Trocar letras por maiúsculas ajuda pouco.",
        Suggestion::AllUppercaseIsAlmostAsEasyToGuessAsAllLowercase => {
            "Tudo em maiúsculas é quase tão fácil de adivinhar quanto tudo em minúsculas."
        }
        Suggestion::ReversedWordsArentMuchHarderToGuess => {
            "Palavras de trás para frente não são muito mais difíceis de adivinhar."
        }
        Suggestion::PredictableSubstitutionsDontHelpVeryMuch => {
            "Substituições previsíveis, como “@” no lugar de “a”, ajudam pouco."
        }
        Suggestion::UseALongerKeyboardPatternWithMoreTurns => {
            "Use um padrão de teclado mais longo e com mais mudanças de direção."
        }
        Suggestion::AvoidRepeatedWordsAndCharacters => "Evite palavras e caracteres repetidos.",
        Suggestion::AvoidSequences => "Evite sequências.",
        Suggestion::AvoidRecentYears => "Evite anos recentes.",
        Suggestion::AvoidYearsThatAreAssociatedWithYou => "Evite anos ligados a você.",
        Suggestion::AvoidDatesAndYearsThatAreAssociatedWithYou => {
            "Evite datas e anos ligados a você."
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passphrases_pass_and_weak_passwords_are_explained_in_portuguese() {
        assert_eq!(check("cavalo bateria grampo correto", &[]), Ok(()));
        assert_eq!(check("jabuticaba-fusca-varanda", &[]), Ok(()));
        let short = check("abc12345", &[]).unwrap_err();
        assert!(short.contains("ao menos 10 caracteres"), "{short}");
        let common = check("1234567890", &[]).unwrap_err();
        assert!(
            common.starts_with("Esta senha é fácil de adivinhar."),
            "{common}"
        );
        let common = check("password123", &[]).unwrap_err();
        assert!(common.contains("fácil de adivinhar"), "{common}");
        assert!(check("", &[]).unwrap_err().contains("Informe"));
        assert!(
            check(&"a".repeat(129), &[])
                .unwrap_err()
                .contains("até 128")
        );
        assert!(check("senha\u{0}senha senha", &[]).is_err());
    }

    #[test]
    fn the_persons_own_name_and_cpf_do_not_make_a_strong_password() {
        let personal = ["Gestor Prata", "21359115854", "gestor.prata@ufv.br"];
        assert!(check("gestorprata21359115854", &personal).is_err());
        assert!(check("GestorPrata2026!", &personal).is_err());
    }
}
