//! Typst diagnostics to [`RenderError`]: the first error's message and where it is in the
//! template, as the 1-based line and column an admin editing the template can find.

use balai_domain::surat::document::RenderError;
use typst::WorldExt;
use typst::diag::{Severity, SourceDiagnostic};
use typst::syntax::DiagSpan;

use crate::world::LetterWorld;

pub(crate) fn to_render_error(world: &LetterWorld<'_>, diagnostics: &[SourceDiagnostic]) -> RenderError {
    let Some(diag) = diagnostics.iter().find(|d| d.severity == Severity::Error).or(diagnostics.first()) else {
        return RenderError { message: "the template produced no document".to_owned(), line: None, column: None };
    };
    // An error raised inside a function points at the function; the trace leads back to the
    // template line that called it.
    let spans = std::iter::once(diag.span).chain(diag.trace.iter().map(|point| DiagSpan::from(point.span)));
    let position = spans.filter(|span| span.id() == Some(world.main.id())).find_map(|span| {
        let start = world.range(span)?.start;
        let (line, column) = world.main.lines().byte_to_line_column(start)?;
        Some((u32::try_from(line + 1).ok()?, u32::try_from(column + 1).ok()?))
    });
    // Errors in the data files themselves (a village's broken logo SVG) name the file.
    let message = match diag.span.id().filter(|id| *id != world.main.id()) {
        Some(file) => format!("{}: {}", file.vpath().get_with_slash(), diag.message),
        None => diag.message.to_string(),
    };
    RenderError { message, line: position.map(|(line, _)| line), column: position.map(|(_, column)| column) }
}
