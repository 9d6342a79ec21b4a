//! Documents for people to print and sign, laid out on A4 pages and written as PDF.
//!
//! A [`Document`] is a list of [`Block`]s (a letterhead, headings, paragraphs,
//! label–value fields, tables, signature blocks); [`render`] breaks lines by
//! measuring the text in the embedded font, breaks pages (a table's header
//! is repeated on each page it continues on, a signature block is never
//! split), numbers the pages in the footer and writes the PDF with krilla.
//!
//! The font is Liberation Sans (SIL Open Font License, `fonts/LICENSE`),
//! compiled in and embedded as a subset, so a letter looks the same on the
//! office printer as on the screen where it was made; text stays text
//! (searchable, copyable). This crate knows layout, never the registry: the
//! server decides what a letter or a list of names says.

use krilla::Document as PdfDocument;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};
use thiserror::Error;

/// Liberation Sans Regular.
static REGULAR: &[u8] = include_bytes!("../fonts/LiberationSans-Regular.ttf");
/// Liberation Sans Bold.
static BOLD: &[u8] = include_bytes!("../fonts/LiberationSans-Bold.ttf");

/// A4 in points.
const A4: (f32, f32) = (595.28, 841.89);
/// Page margin in points (2 cm), a little more at the bottom for the footer.
const MARGIN: f32 = 56.7;
const MARGIN_BOTTOM: f32 = 70.0;
/// Body text size.
const BODY: f32 = 11.0;
/// Line height as a multiple of the text size.
const LEADING: f32 = 1.35;

/// Why a document could not be written.
#[derive(Debug, Error)]
pub enum PdfError {
    /// The bundled font could not be read (a build problem, not a data problem).
    #[error("font tertanam tidak dapat dibaca")]
    Font,
    /// The PDF writer refused the document.
    #[error("PDF tidak dapat ditulis: {0}")]
    Write(String),
}

/// Which way the pages stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Orientation {
    /// Upright (letters, minutes).
    #[default]
    Portrait,
    /// On its side (wide lists of names).
    Landscape,
}

/// How a table column's text sits in its cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    /// Left (text).
    #[default]
    Left,
    /// Centred (short codes).
    Center,
    /// Right (numbers).
    Right,
}

/// A table column: its header, its share of the width, how its cells align.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The header text.
    pub header: String,
    /// The column's width relative to the others' (they are scaled to the page).
    pub weight: f32,
    /// How cells align.
    pub align: Align,
}

impl Column {
    /// A left-aligned column.
    pub fn new(header: impl Into<String>, weight: f32) -> Column {
        Column {
            header: header.into(),
            weight,
            align: Align::Left,
        }
    }

    /// The same column, aligned as given.
    pub fn aligned(mut self, align: Align) -> Column {
        self.align = align;
        self
    }
}

/// Who signs, and what stands above and below the space for the signature.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Signature {
    /// Lines above the space (place and date, the office, the role).
    pub above: Vec<String>,
    /// The name, printed in bold under the space.
    pub name: String,
    /// A line under the name (an employee number), if any.
    pub below: Option<String>,
}

/// One piece of a document, laid out top to bottom.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// The office's letterhead: the first line large and bold, the others
    /// small, centred, and a double rule under them.
    Letterhead(Vec<String>),
    /// A centred bold title.
    Title(String),
    /// A bold heading on the left.
    Heading(String),
    /// Running text; a `\n` starts a new line.
    Paragraph(String),
    /// Label–value lines with the colons aligned (`Nomor : …`).
    Fields(Vec<(String, String)>),
    /// A table with a grey header row repeated on every page it runs onto.
    Table {
        /// The columns.
        columns: Vec<Column>,
        /// The rows, one text per column.
        rows: Vec<Vec<String>>,
        /// The text size of the table.
        size: f32,
    },
    /// Signature blocks side by side (one alone on the right half), kept on one page.
    Signatures(Vec<Signature>),
    /// Vertical space, in points.
    Space(f32),
    /// Continue on a new page.
    PageBreak,
}

/// A document to render.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    /// The PDF's title (shown by viewers).
    pub title: String,
    /// Portrait or landscape.
    pub orientation: Orientation,
    /// What it says, top to bottom.
    pub blocks: Vec<Block>,
    /// The footer's text on every page, followed by `Halaman i dari n`.
    pub footer: String,
}

/// A rendered document.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The PDF file.
    pub bytes: Vec<u8>,
    /// How many pages it has.
    pub pages: usize,
}

/// What is drawn on a page, in points from the top left.
#[derive(Debug, Clone)]
enum Op {
    /// Text with its baseline at `y`.
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        text: String,
    },
    /// A straight line.
    Line {
        from: (f32, f32),
        to: (f32, f32),
        width: f32,
    },
    /// A light grey rectangle (a table header's background).
    Shade { x: f32, y: f32, w: f32, h: f32 },
}

/// Text widths in the embedded fonts.
struct Metrics {
    regular: FontRef<'static>,
    bold: FontRef<'static>,
}

impl Metrics {
    fn new() -> Result<Metrics, PdfError> {
        Ok(Metrics {
            regular: FontRef::new(REGULAR).map_err(|_| PdfError::Font)?,
            bold: FontRef::new(BOLD).map_err(|_| PdfError::Font)?,
        })
    }

    /// The advance width of `text` at `size` points.
    fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        let font = if bold { &self.bold } else { &self.regular };
        let charmap = font.charmap();
        let glyphs = font.glyph_metrics(Size::new(size), LocationRef::default());
        text.chars()
            .map(|c| {
                charmap
                    .map(c)
                    .and_then(|g| glyphs.advance_width(g))
                    .unwrap_or(size * 0.5)
            })
            .sum()
    }

    /// `text` broken into lines no wider than `width`: at spaces, and inside a
    /// word only when the word alone is wider than the line. `\n` breaks a line.
    fn wrap(&self, text: &str, size: f32, bold: bool, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            for word in para.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_string()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, size, bold) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                // A word wider than the line is cut where it must be.
                for c in word.chars() {
                    let mut next = line.clone();
                    next.push(c);
                    if !line.is_empty() && self.width(&next, size, bold) > width {
                        lines.push(std::mem::take(&mut line));
                        line.push(c);
                    } else {
                        line = next;
                    }
                }
            }
            lines.push(line);
        }
        lines
    }
}

/// Pages being filled, top to bottom.
struct Layout<'m> {
    m: &'m Metrics,
    width: f32,
    height: f32,
    y: f32,
    pages: Vec<Vec<Op>>,
}

impl Layout<'_> {
    fn left(&self) -> f32 {
        MARGIN
    }

    fn content_width(&self) -> f32 {
        self.width - 2.0 * MARGIN
    }

    fn bottom(&self) -> f32 {
        self.height - MARGIN_BOTTOM
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN;
    }

    /// Starts a new page unless `h` more points fit on this one.
    fn room(&mut self, h: f32) {
        if self.y + h > self.bottom() && self.y > MARGIN {
            self.new_page();
        }
    }

    fn op(&mut self, op: Op) {
        self.pages.last_mut().expect("a page").push(op);
    }

    fn text(&mut self, x: f32, baseline: f32, size: f32, bold: bool, text: &str) {
        if !text.is_empty() {
            self.op(Op::Text {
                x,
                y: baseline,
                size,
                bold,
                text: text.to_string(),
            });
        }
    }

    /// Lines of text at the cursor, each aligned within `x..x + w`.
    fn lines(&mut self, lines: &[String], size: f32, bold: bool, x: f32, w: f32, align: Align) {
        let lh = size * LEADING;
        for line in lines {
            self.room(lh);
            let lw = self.m.width(line, size, bold);
            let lx = match align {
                Align::Left => x,
                Align::Center => x + (w - lw) / 2.0,
                Align::Right => x + w - lw,
            };
            self.text(lx, self.y + size, size, bold, line);
            self.y += lh;
        }
    }

    fn rule(&mut self, width: f32) {
        let (x, w, y) = (self.left(), self.content_width(), self.y);
        self.op(Op::Line {
            from: (x, y),
            to: (x + w, y),
            width,
        });
    }

    fn block(&mut self, b: &Block) {
        let (x, w) = (self.left(), self.content_width());
        match b {
            Block::Letterhead(lines) => {
                let mut it = lines.iter();
                if let Some(first) = it.next() {
                    let l = self.m.wrap(first, 14.0, true, w);
                    self.lines(&l, 14.0, true, x, w, Align::Center);
                }
                for line in it {
                    let l = self.m.wrap(line, 9.5, false, w);
                    self.lines(&l, 9.5, false, x, w, Align::Center);
                }
                self.y += 4.0;
                self.rule(2.0);
                self.y += 3.0;
                self.rule(0.6);
                self.y += 14.0;
            }
            Block::Title(t) => {
                let l = self.m.wrap(t, 13.0, true, w);
                self.room(13.0 * LEADING * l.len() as f32 + BODY * LEADING);
                self.lines(&l, 13.0, true, x, w, Align::Center);
                self.y += 6.0;
            }
            Block::Heading(t) => {
                let l = self.m.wrap(t, BODY, true, w);
                // A heading is not left alone at the foot of a page.
                self.room(BODY * LEADING * (l.len() as f32 + 2.0));
                self.y += 4.0;
                self.lines(&l, BODY, true, x, w, Align::Left);
                self.y += 2.0;
            }
            Block::Paragraph(t) => {
                let l = self.m.wrap(t, BODY, false, w);
                self.lines(&l, BODY, false, x, w, Align::Left);
                self.y += BODY * 0.5;
            }
            Block::Fields(fields) => {
                let label_w = fields
                    .iter()
                    .map(|(k, _)| self.m.width(k, BODY, false))
                    .fold(0.0_f32, f32::max)
                    .min(w * 0.4);
                let colon = x + label_w + 6.0;
                let vx = colon + 10.0;
                let lh = BODY * LEADING;
                for (k, v) in fields {
                    let values = self.m.wrap(v, BODY, false, x + w - vx);
                    let labels = self.m.wrap(k, BODY, false, label_w);
                    let n = values.len().max(labels.len());
                    self.room(lh * n as f32);
                    for i in 0..n {
                        let base = self.y + BODY;
                        if let Some(l) = labels.get(i) {
                            self.text(x, base, BODY, false, l);
                        }
                        if i == 0 {
                            self.text(colon, base, BODY, false, ":");
                        }
                        if let Some(v) = values.get(i) {
                            self.text(vx, base, BODY, false, v);
                        }
                        self.y += lh;
                    }
                }
                self.y += BODY * 0.5;
            }
            Block::Table {
                columns,
                rows,
                size,
            } => self.table(columns, rows, *size),
            Block::Signatures(signs) => self.signatures(signs),
            Block::Space(h) => {
                self.y += h;
                if self.y > self.bottom() {
                    self.new_page();
                }
            }
            Block::PageBreak => self.new_page(),
        }
    }

    fn table(&mut self, columns: &[Column], rows: &[Vec<String>], size: f32) {
        let (x, w) = (self.left(), self.content_width());
        let total: f32 = columns.iter().map(|c| c.weight.max(0.1)).sum();
        let widths: Vec<f32> = columns
            .iter()
            .map(|c| w * c.weight.max(0.1) / total)
            .collect();
        let pad = 3.0;
        let lh = size * LEADING;
        let cells = |row: &[String], bold: bool| -> Vec<Vec<String>> {
            widths
                .iter()
                .enumerate()
                .map(|(i, cw)| {
                    self.m.wrap(
                        row.get(i).map(String::as_str).unwrap_or(""),
                        size,
                        bold,
                        cw - 2.0 * pad,
                    )
                })
                .collect()
        };
        let header_text: Vec<String> = columns.iter().map(|c| c.header.clone()).collect();
        let header = cells(&header_text, true);
        let height =
            |c: &[Vec<String>]| c.iter().map(Vec::len).max().unwrap_or(1) as f32 * lh + 2.0 * pad;
        let header_h = height(&header);
        let draw = |me: &mut Self, c: &[Vec<String>], h: f32, bold: bool, shade: bool| {
            let top = me.y;
            if shade {
                me.op(Op::Shade { x, y: top, w, h });
            }
            let mut cx = x;
            for (i, lines) in c.iter().enumerate() {
                let align = if bold {
                    Align::Center
                } else {
                    columns[i].align
                };
                for (j, line) in lines.iter().enumerate() {
                    let lw = me.m.width(line, size, bold);
                    let inner = widths[i] - 2.0 * pad;
                    let lx = match align {
                        Align::Left => cx + pad,
                        Align::Center => cx + pad + (inner - lw) / 2.0,
                        Align::Right => cx + pad + inner - lw,
                    };
                    me.text(lx, top + pad + j as f32 * lh + size, size, bold, line);
                }
                me.op(Op::Line {
                    from: (cx, top),
                    to: (cx, top + h),
                    width: 0.5,
                });
                cx += widths[i];
            }
            me.op(Op::Line {
                from: (x + w, top),
                to: (x + w, top + h),
                width: 0.5,
            });
            me.op(Op::Line {
                from: (x, top),
                to: (x + w, top),
                width: 0.5,
            });
            me.op(Op::Line {
                from: (x, top + h),
                to: (x + w, top + h),
                width: 0.5,
            });
            me.y = top + h;
        };
        self.room(header_h + lh + 2.0 * pad);
        draw(self, &header, header_h, true, true);
        for row in rows {
            let c = cells(row, false);
            let h = height(&c);
            if self.y + h > self.bottom() {
                self.new_page();
                draw(self, &header, header_h, true, true);
            }
            draw(self, &c, h, false, false);
        }
        self.y += BODY * 0.8;
    }

    fn signatures(&mut self, signs: &[Signature]) {
        if signs.is_empty() {
            return;
        }
        let (mut x, w) = (self.left(), self.content_width());
        let n = signs.len().min(3);
        // One signature sits on the right half, as letters are signed.
        let cw = if n == 1 { w / 2.0 } else { w / n as f32 };
        if n == 1 {
            x += w / 2.0;
        }
        let lh = BODY * LEADING;
        let gap = 56.0;
        let wrapped: Vec<(Vec<String>, Vec<String>)> = signs
            .iter()
            .map(|s| {
                let above: Vec<String> = s
                    .above
                    .iter()
                    .flat_map(|a| self.m.wrap(a, BODY, false, cw - 8.0))
                    .collect();
                let mut below = self.m.wrap(&s.name, BODY, true, cw - 8.0);
                if let Some(b) = &s.below {
                    below.extend(self.m.wrap(b, BODY, false, cw - 8.0));
                }
                (above, below)
            })
            .collect();
        for row in wrapped.chunks(n) {
            let above_n = row.iter().map(|r| r.0.len()).max().unwrap_or(0);
            let below_n = row.iter().map(|r| r.1.len()).max().unwrap_or(0);
            let h = (above_n + below_n) as f32 * lh + gap;
            self.room(h + 8.0);
            let top = self.y + 8.0;
            for (i, (above, below)) in row.iter().enumerate() {
                let cx = x + i as f32 * cw;
                for (j, l) in above.iter().enumerate() {
                    let lw = self.m.width(l, BODY, false);
                    self.text(
                        cx + (cw - lw) / 2.0,
                        top + j as f32 * lh + BODY,
                        BODY,
                        false,
                        l,
                    );
                }
                let name_top = top + above_n as f32 * lh + gap;
                for (j, l) in below.iter().enumerate() {
                    let bold = j == 0;
                    let lw = self.m.width(l, BODY, bold);
                    let lx = cx + (cw - lw) / 2.0;
                    let base = name_top + j as f32 * lh + BODY;
                    self.text(lx, base, BODY, bold, l);
                    if bold {
                        self.op(Op::Line {
                            from: (lx, base + 2.0),
                            to: (lx + lw, base + 2.0),
                            width: 0.6,
                        });
                    }
                }
            }
            self.y = top + h;
        }
    }
}

/// Lays the document out on pages and writes it as PDF.
pub fn render(doc: &Document) -> Result<Rendered, PdfError> {
    let metrics = Metrics::new()?;
    let (width, height) = match doc.orientation {
        Orientation::Portrait => A4,
        Orientation::Landscape => (A4.1, A4.0),
    };
    let mut layout = Layout {
        m: &metrics,
        width,
        height,
        y: MARGIN,
        pages: vec![Vec::new()],
    };
    for b in &doc.blocks {
        layout.block(b);
    }
    let pages = layout.pages;
    let n = pages.len();

    let regular = Font::new(REGULAR.into(), 0).ok_or(PdfError::Font)?;
    let bold = Font::new(BOLD.into(), 0).ok_or(PdfError::Font)?;
    let mut pdf = PdfDocument::new();
    pdf.set_metadata(
        Metadata::new()
            .title(doc.title.clone())
            .creator("Padu".to_string())
            .language("id".to_string()),
    );
    let black = rgb::Color::new(0, 0, 0);
    for (i, ops) in pages.iter().enumerate() {
        let settings = PageSettings::from_wh(width, height)
            .ok_or_else(|| PdfError::Write("ukuran halaman".into()))?;
        let mut page = pdf.start_page_with(settings);
        let mut surface = page.surface();
        let footer = if doc.footer.is_empty() {
            format!("Halaman {} dari {n}", i + 1)
        } else {
            format!("{} · Halaman {} dari {n}", doc.footer, i + 1)
        };
        let footer_w = metrics.width(&footer, 8.0, false);
        let footer_op = Op::Text {
            x: width - MARGIN - footer_w,
            y: height - MARGIN_BOTTOM + 30.0,
            size: 8.0,
            bold: false,
            text: footer,
        };
        for op in ops.iter().chain(std::iter::once(&footer_op)) {
            match op {
                Op::Text {
                    x,
                    y,
                    size,
                    bold: b,
                    text,
                } => {
                    surface.set_fill(Some(Fill {
                        paint: black.into(),
                        ..Fill::default()
                    }));
                    let font = if *b { bold.clone() } else { regular.clone() };
                    surface.draw_text(
                        Point::from_xy(*x, *y),
                        font,
                        *size,
                        text,
                        false,
                        TextDirection::Auto,
                    );
                }
                Op::Line { from, to, width: w } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(from.0, from.1);
                    pb.line_to(to.0, to.1);
                    if let Some(path) = pb.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            paint: black.into(),
                            width: *w,
                            ..Stroke::default()
                        }));
                        surface.draw_path(&path);
                        surface.set_stroke(None);
                    }
                }
                Op::Shade { x, y, w, h } => {
                    if let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) {
                        let mut pb = PathBuilder::new();
                        pb.push_rect(rect);
                        if let Some(path) = pb.finish() {
                            surface.set_stroke(None);
                            surface.set_fill(Some(Fill {
                                paint: rgb::Color::new(225, 228, 232).into(),
                                ..Fill::default()
                            }));
                            surface.draw_path(&path);
                        }
                    }
                }
            }
        }
        surface.finish();
        page.finish();
    }
    let bytes = pdf
        .finish()
        .map_err(|e| PdfError::Write(format!("{e:?}")))?;
    Ok(Rendered { bytes, pages: n })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letter(rows: usize) -> Document {
        Document {
            title: "Surat uji".into(),
            orientation: Orientation::Portrait,
            footer: "Surat 400.9/7/Dinsos/2026".into(),
            blocks: vec![
                Block::Letterhead(vec![
                    "PEMERINTAH KOTA DEPOK".into(),
                    "DINAS SOSIAL".into(),
                    "Jl. Margonda Raya No. 54, Depok · (021) 777-0000".into(),
                ]),
                Block::Fields(vec![
                    ("Nomor".into(), "400.9/7/Dinsos/2026".into()),
                    ("Perihal".into(), "Percepatan perbaikan data DTKS".into()),
                ]),
                Block::Paragraph("Dengan hormat, ".repeat(40)),
                Block::Table {
                    columns: vec![
                        Column::new("No", 0.5).aligned(Align::Right),
                        Column::new("Nama", 3.0),
                        Column::new("Keterangan", 5.0),
                    ],
                    rows: (1..=rows)
                        .map(|i| {
                            vec![
                                i.to_string(),
                                format!("WARGA {i}"),
                                "NIK tidak valid".into(),
                            ]
                        })
                        .collect(),
                    size: 9.0,
                },
                Block::Signatures(vec![Signature {
                    above: vec![
                        "Depok, 3 Desember 2026".into(),
                        "Kepala Dinas Sosial".into(),
                    ],
                    name: "Dra. SITI AMINAH".into(),
                    below: Some("NIP 19700101 199003 2 001".into()),
                }]),
            ],
        }
    }

    #[test]
    fn a_short_letter_is_one_page_and_a_long_list_runs_on() {
        let one = render(&letter(3)).unwrap();
        assert!(one.bytes.starts_with(b"%PDF-"));
        assert_eq!(one.pages, 1);
        let long = render(&letter(120)).unwrap();
        assert!(long.pages >= 3, "{} pages", long.pages);
        if let Ok(dir) = std::env::var("PADU_PDF_SAMPLES") {
            std::fs::write(format!("{dir}/contoh-surat.pdf"), &long.bytes).unwrap();
        }
    }

    #[test]
    fn lines_break_at_spaces_within_the_width() {
        let m = Metrics::new().unwrap();
        let text = "Perbaikan data kesejahteraan sosial harus selesai sebelum batas waktu";
        let lines = m.wrap(text, 11.0, false, 150.0);
        assert!(lines.len() > 1);
        for l in &lines {
            assert!(m.width(l, 11.0, false) <= 150.0, "{l}");
        }
        assert_eq!(lines.join(" "), text);
        // A word wider than the line is cut, not lost.
        let long = "3276014501900001".repeat(4);
        assert_eq!(m.wrap(&long, 11.0, false, 60.0).concat(), long);
        assert_eq!(m.wrap("a\nb", 11.0, false, 100.0), vec!["a", "b"]);
    }

    #[test]
    fn bold_is_wider_than_regular() {
        let m = Metrics::new().unwrap();
        assert!(m.width("DINAS SOSIAL", 11.0, true) > m.width("DINAS SOSIAL", 11.0, false));
        assert!(m.width("DINAS SOSIAL", 11.0, false) > 50.0);
    }
}
