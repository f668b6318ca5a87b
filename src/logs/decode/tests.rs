use super::*;

#[derive(Debug, Clone, PartialEq)]
struct Owned {
    n: u64,
    time: Option<LogTime>,
    raw: Vec<u8>,
    cut: u64,
}

fn decode(input: &[u8], chunk: usize, cap: usize) -> (Vec<Owned>, u64) {
    let mut d = LineDecoder::new(cap);
    let mut out = Vec::new();
    let mut sink = |l: DecodedLine<'_>| {
        out.push(Owned {
            n: l.line_number,
            time: l.time,
            raw: l.raw.to_vec(),
            cut: l.truncated_bytes,
        })
    };
    for c in input.chunks(chunk.max(1)) {
        d.feed(c, &mut sink);
    }
    let total = d.finish(&mut sink);
    (out, total)
}

fn texts(lines: &[Owned]) -> Vec<(u64, String)> {
    lines
        .iter()
        .map(|l| (l.n, String::from_utf8_lossy(&l.raw).into_owned()))
        .collect()
}

#[test]
fn timestamp_parsing() {
    let (t, len) = parse_timestamp_prefix(b"2024-05-01T12:00:00.1234567Z hello").unwrap();
    assert_eq!(len, 29);
    assert_eq!(t.secs, 1_714_564_800);
    assert_eq!(t.nanos, 123_456_700);
    let (t, len) = parse_timestamp_prefix(b"1970-01-01T00:00:01Z").unwrap();
    assert_eq!((t.secs, t.nanos, len), (1, 0, 20));
    assert!(parse_timestamp_prefix(b"2024-05-01T12:00:00.1234567Zhello").is_none());
    assert!(parse_timestamp_prefix(b"2024-13-01T12:00:00.1Z x").is_none());
    assert!(parse_timestamp_prefix(b"not a timestamp at all, no").is_none());
    // Agrees with chrono.
    let c = chrono::DateTime::parse_from_rfc3339("2025-12-16T23:20:13Z").unwrap();
    let (t, _) = parse_timestamp_prefix(b"2025-12-16T23:20:13.6786056Z x").unwrap();
    assert_eq!(t.secs, c.timestamp());
}

#[test]
fn cached_seconds_agree_with_a_fresh_parse() {
    let mut cache = StampCache::default();
    for s in [
        &b"2024-05-01T12:00:00.1234567Z a"[..],
        b"2024-05-01T12:00:00.2Z b",
        b"2024-05-01T12:00:00Z",
        b"2024-05-01T12:00:00.Z bad fraction, same second",
        b"2024-05-01T12:00:01.5Z next second",
        b"2024-05-01T12:00:01.5Zglued",
        b"2024-13-01T12:00:01.5Z invalid month",
        b"2024-13-01T12:00:01.5Z invalid again (not cached)",
        b"2024-05-01T12:00:01.5Z back",
        b"short",
    ] {
        assert_eq!(cache.parse(s), parse_timestamp_prefix(s), "{s:?}");
    }
}

#[test]
fn runner_fraction_fast_path_agrees_with_the_general_parser() {
    for tail in [
        &b".1234567Z x"[..],
        b".0000000Z ",
        b".9999999Z ",
        b".1234567Zx",
        b".123456:Z ",
        b".12/4567Z ",
        b".123456Z x",
        b".12345678Z ",
        b".1234567Z",
        b".1234567\x7aZ",
        b"\xff1234567Z ",
    ] {
        let mut s = b"2024-05-01T12:00:00".to_vec();
        s.extend_from_slice(tail);
        let fast = runner_fraction(&s).map(|n| (n, RUNNER_PREFIX));
        let slow = if s.len() >= 20 {
            parse_fraction_and_end(&s)
        } else {
            None
        };
        if fast.is_some() {
            assert_eq!(fast, slow, "{s:?}");
        }
        assert_eq!(
            StampCache::default().parse(&s),
            parse_timestamp_prefix(&s),
            "{s:?}"
        );
    }
    assert_eq!(
        runner_fraction(b"2024-05-01T12:00:00.1234567Z x"),
        Some(123_456_700)
    );
}

proptest::proptest! {
    /// The cached, fast-path parse is the plain parse, whatever the bytes.
    #[test]
    fn stamp_cache_agrees_with_parse_timestamp_prefix(
        lines in proptest::collection::vec(
            (
                0usize..4,
                // A runner suffix with one byte replaced (index 11: none), cut short or extended.
                0usize..12,
                proptest::sample::select(b"0123459:./Z T-xA\x00\xff".to_vec()),
                0usize..12,
                proptest::collection::vec(proptest::num::u8::ANY, 0..4),
            ),
            1..20,
        ),
    ) {
        let heads: [&[u8]; 4] = [
            b"2024-05-01T12:00:00",
            b"2024-05-01T12:00:01",
            b"2024-02-29T23:59:60",
            b"2024-05-01T12:0x:00",
        ];
        let mut cache = StampCache::default();
        for (h, at, byte, keep, extra) in lines {
            let mut tail = b".1234567Z x".to_vec();
            if at < tail.len() {
                tail[at] = byte;
            }
            tail.truncate(keep);
            tail.extend_from_slice(&extra);
            let mut s = heads[h].to_vec();
            s.extend_from_slice(&tail);
            proptest::prop_assert_eq!(cache.parse(&s), parse_timestamp_prefix(&s), "{:?}", s);
        }
    }
}

#[test]
fn strips_bom_and_prefix_and_handles_line_endings() {
    let input = b"\xEF\xBB\xBF2024-05-01T12:00:00.1000000Z first\r\n2024-05-01T12:00:01.0000000Z second\nthird\rover\r\n\nlast";
    let (lines, total) = decode(input, 1 << 16, 4096);
    assert_eq!(
        texts(&lines),
        vec![
            (1, "first".into()),
            (2, "second".into()),
            (3, "third".into()),
            (3, "over".into()),
            (4, "".into()),
            (5, "last".into()),
        ]
    );
    assert_eq!(total, 5);
    assert_eq!(lines[0].time.unwrap().secs, 1_714_564_800);
    assert_eq!(lines[1].time.unwrap().secs, 1_714_564_801);
    assert_eq!(lines[2].time, None);
}

#[test]
fn cr_segments_inherit_the_line_timestamp() {
    let input = b"2024-05-01T12:00:00.1Z 10%\r50%\r\r100%\n";
    let (lines, total) = decode(input, 3, 4096);
    assert_eq!(
        texts(&lines),
        vec![(1, "10%".into()), (1, "50%".into()), (1, "100%".into())]
    );
    assert!(lines.iter().all(|l| l.time.unwrap().secs == 1_714_564_800));
    assert_eq!(total, 1);
}

#[test]
fn bom_only_at_stream_start() {
    let (lines, _) = decode(b"a\n\xEF\xBB\xBFb\n", 1, 4096);
    assert_eq!(lines[1].raw, b"\xEF\xBB\xBFb");
}

#[test]
fn chunk_size_invariance() {
    let mut input = Vec::new();
    input.extend_from_slice(b"\xEF\xBB\xBF2024-05-01T12:00:00.1234567Z \x1b[31mred\x1b[0m\r\n");
    input.extend_from_slice(b"2024-05-01T12:00:00.2Z progress 1\rprogress 2\r\n\r\n");
    input.extend_from_slice(&[b'x'; 300]);
    input.extend_from_slice(b"\n2024-05-01T12:00:01.0000000Z ");
    input.extend_from_slice(&[b'y'; 500]);
    input.extend_from_slice(b"\r\ninvalid \xff\xfe utf8\rtrailing cr\r");
    let (reference, ref_total) = decode(&input, input.len(), 128);
    for chunk in [1, 2, 3, 7, 13, 64, 127, 128, 129, 4096] {
        let (got, total) = decode(&input, chunk, 128);
        assert_eq!(got, reference, "chunk size {chunk}");
        assert_eq!(total, ref_total);
    }
    assert_eq!(reference.last().unwrap().raw, b"trailing cr");
}

#[test]
fn long_line_is_capped_without_buffering_and_next_line_survives() {
    let cap = 4096;
    let mut d = LineDecoder::new(cap);
    let mut lines = Vec::new();
    let mut sink =
        |l: DecodedLine<'_>| lines.push((l.line_number, l.raw.len(), l.truncated_bytes, l.text()));
    d.feed(b"2024-05-01T12:00:00.1Z ", &mut sink);
    let block = vec![b'z'; 64 * 1024];
    for _ in 0..160 {
        // 10 MiB in 64 KiB chunks
        d.feed(&block, &mut sink);
        assert!(d.retained_bytes() <= cap + PREFIX_ROOM + 64);
    }
    d.feed(b"\n2024-05-01T12:00:01.1Z ##[error]boom\n", &mut sink);
    d.finish(&mut sink);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0].1, cap);
    assert_eq!(lines[0].2, 10 * 1024 * 1024 - cap as u64);
    assert!(lines[0].3.ends_with("more bytes]"));
    assert_eq!((lines[1].0, lines[1].3.as_str()), (2, "##[error]boom"));
}

#[test]
fn chunk_offsets_point_at_the_raw_bytes() {
    let mut input = Vec::new();
    input.extend_from_slice(b"\xEF\xBB\xBF2024-05-01T12:00:00.1Z first\r\n");
    input.extend_from_slice(b"2024-05-01T12:00:00.2Z 10%\r50%\r\r\n\nplain\n");
    input.extend_from_slice(&[b'x'; 300]);
    input.extend_from_slice(b"\n2024-05-01T12:00:01Z end\rtrailing");
    for chunk in [1, 2, 7, 64, 200, input.len()] {
        let mut d = LineDecoder::new(128);
        let (mut in_chunk, mut lines) = (0, 0);
        for c in input.chunks(chunk) {
            d.feed(c, &mut |l| {
                lines += 1;
                if let Some(o) = l.chunk_offset {
                    in_chunk += 1;
                    assert_eq!(&c[o..o + l.raw.len()], l.raw, "chunk size {chunk}");
                }
            });
        }
        d.finish(&mut |l| assert_eq!(l.chunk_offset, None));
        if chunk == input.len() {
            assert_eq!(in_chunk, lines);
        }
    }
}

#[test]
fn long_line_inside_one_chunk_matches_carry_path() {
    let mut input = b"2024-05-01T12:00:00.1Z ".to_vec();
    input.extend(std::iter::repeat_n(b'q', 1000));
    input.push(b'\n');
    let (a, _) = decode(&input, input.len(), 100);
    let (b, _) = decode(&input, 7, 100);
    assert_eq!(a, b);
    assert_eq!(a[0].raw.len(), 100);
    assert_eq!(a[0].cut, 900);
}

proptest::proptest! {
    /// Never panics, always bounded: any bytes in any chunking give the
    /// one-shot lines, no line over the cap, and display-safe text.
    #[test]
    fn any_bytes_any_chunking(
        input in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::num::u8::ANY,
                proptest::sample::select(b"\n\r\x1b[Z .0123456789-T:".to_vec()),
            ],
            0..600,
        ),
        cuts in proptest::collection::vec(1usize..80, 1..12),
    ) {
        let cap = 64;
        let (reference, ref_total) = decode(&input, input.len().max(1), cap);
        let mut d = LineDecoder::new(cap);
        let mut got = Vec::new();
        let mut texts = Vec::new();
        let mut sink = |l: DecodedLine<'_>| {
            texts.push(l.text());
            got.push(Owned { n: l.line_number, time: l.time, raw: l.raw.to_vec(), cut: l.truncated_bytes });
        };
        let mut rest = &input[..];
        for c in cuts.iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let (head, tail) = rest.split_at((*c).min(rest.len()));
            d.feed(head, &mut sink);
            rest = tail;
        }
        let total = d.finish(&mut sink);
        proptest::prop_assert_eq!(&got, &reference);
        proptest::prop_assert_eq!(total, ref_total);
        for (line, text) in got.iter().zip(&texts) {
            proptest::prop_assert!(line.raw.len() <= cap);
            proptest::prop_assert!(text.chars().all(|c| c == '\t' || !c.is_control()), "{:?}", text);
        }
    }
}

/// `--log FILE` numbers lines as editors do: every `\n`, `\r\n` and lone `\r` ends one, in
/// any chunking, so an excerpt's numbers are the ones a reader finds in the file.
#[test]
fn lone_cr_numbering_counts_every_terminator_as_python_does() {
    let input: &[u8] = b"a\r\rb\r\nc\rprogress 1%\rprogress 100%\n\nlast\r";
    let python_lines: Vec<&str> = vec![
        "a",
        "",
        "b",
        "c",
        "progress 1%",
        "progress 100%",
        "",
        "last",
    ];
    for chunk in [1, 2, 3, 7, 64] {
        let mut d = LineDecoder::new(64).numbering_lone_cr_as_lines();
        let mut out = Vec::new();
        let mut sink = |l: DecodedLine<'_>| {
            out.push((l.line_number, String::from_utf8_lossy(l.raw).into_owned()))
        };
        for c in input.chunks(chunk) {
            d.feed(c, &mut sink);
        }
        let total = d.finish(&mut sink);
        let want: Vec<(u64, String)> = python_lines
            .iter()
            .enumerate()
            .map(|(i, t)| (i as u64 + 1, t.to_string()))
            .collect();
        assert_eq!(out, want, "chunk {chunk}");
        assert_eq!(total, python_lines.len() as u64);
    }
    // GitHub's numbering of the same bytes: a lone `\r` splits a line into segments.
    let (lines, total) = decode(input, 5, 64);
    assert_eq!(total, 4);
    assert_eq!(texts(&lines)[..2], [(1, "a".into()), (1, "b".into())]);
}
