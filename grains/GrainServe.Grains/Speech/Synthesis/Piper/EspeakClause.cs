namespace GrainServe.Speech.Synthesis.Piper;

/// <summary>One clause as espeak-ng splits text: its IPA phonemes and the punctuation that ended it in the text.</summary>
/// <param name="Phonemes">espeak-ng's IPA for the clause, words separated by spaces.</param>
/// <param name="Terminator">The clause's closing punctuation (one of <c>. , ? ! ; :</c>), or null where none ends it.</param>
internal readonly record struct EspeakClause(string Phonemes, char? Terminator);
