//! A minimal SMTP server for tests: enough of RFC 5321 for one client (EHLO, MAIL, RCPT, DATA,
//! QUIT); it records what reaches it.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use base64::Engine;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

// ---------------------------------------------------------------------------------------------
// A minimal SMTP server: enough of RFC 5321 for one client (EHLO, MAIL, RCPT, DATA, QUIT).

#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub from: String,
    pub to: Vec<String>,
    /// The message as transmitted, dot-stuffing undone.
    pub data: String,
}

#[derive(Clone, Default)]
pub struct SmtpSink {
    received: Arc<Mutex<Vec<ReceivedMail>>>,
}

impl SmtpSink {
    pub async fn start() -> (SmtpSink, SocketAddr) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind smtp");
        let addr = listener.local_addr().expect("addr");
        let sink = SmtpSink::default();
        let recorder = sink.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let recorder = recorder.clone();
                tokio::spawn(async move {
                    let _ = recorder.session(socket).await;
                });
            }
        });
        (sink, addr)
    }

    pub fn mails(&self) -> Vec<ReceivedMail> {
        self.received.lock().expect("lock").clone()
    }

    async fn session(&self, socket: tokio::net::TcpStream) -> std::io::Result<()> {
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read);
        write.write_all(b"220 sink.test ESMTP ready\r\n").await?;
        let (mut from, mut to) = (String::new(), Vec::new());
        let mut line = String::new();
        loop {
            line.clear();
            if lines.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            let command = line.trim_end().to_string();
            let verb = command.split([' ', ':']).next().unwrap_or("").to_ascii_uppercase();
            let reply: &[u8] = match verb.as_str() {
                "EHLO" => b"250-sink.test greets you\r\n250 8BITMIME\r\n",
                "HELO" | "NOOP" => b"250 OK\r\n",
                "RSET" => {
                    (from, to) = (String::new(), Vec::new());
                    b"250 OK\r\n"
                }
                "MAIL" => {
                    from = command[command.find(':').map_or(0, |i| i + 1)..].trim().to_string();
                    b"250 OK\r\n"
                }
                "RCPT" => {
                    to.push(command[command.find(':').map_or(0, |i| i + 1)..].trim().to_string());
                    b"250 OK\r\n"
                }
                "DATA" => {
                    write.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await?;
                    let mut data = String::new();
                    loop {
                        line.clear();
                        if lines.read_line(&mut line).await? == 0 {
                            return Ok(());
                        }
                        if line == ".\r\n" {
                            break;
                        }
                        data.push_str(line.strip_prefix('.').unwrap_or(&line));
                    }
                    let mail = ReceivedMail { from: from.clone(), to: std::mem::take(&mut to), data };
                    self.received.lock().expect("lock").push(mail);
                    b"250 OK queued\r\n"
                }
                "QUIT" => {
                    write.write_all(b"221 Bye\r\n").await?;
                    return Ok(());
                }
                _ => b"502 Command not implemented\r\n",
            };
            write.write_all(reply).await?;
        }
    }
}

/// The headers (unfolded) and the decoded text body of a single-part message.
pub fn parse_mail(data: &str) -> (Vec<(String, String)>, String) {
    let (head, body) = data.split_once("\r\n\r\n").expect("header and body");
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.split("\r\n") {
        if line.starts_with([' ', '\t']) {
            let last = headers.last_mut().expect("folded line after a header");
            last.1.push_str(line);
        } else {
            let (name, value) = line.split_once(':').expect("header line");
            headers.push((name.to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    let encoding = header(&headers, "content-transfer-encoding").to_ascii_lowercase();
    let text = match encoding.as_str() {
        "base64" => {
            let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            String::from_utf8(base64::engine::general_purpose::STANDARD.decode(compact).expect("base64"))
                .expect("utf-8")
        }
        "quoted-printable" => decode_quoted_printable(body),
        _ => body.to_string(),
    };
    (headers, text.replace("\r\n", "\n").trim_end_matches('\n').to_string())
}

pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    headers.iter().find(|(n, _)| n == name).map_or("", |(_, v)| v.as_str())
}

pub fn decode_quoted_printable(text: &str) -> String {
    let bytes = text.replace("=\r\n", "").into_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 3 <= bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("ascii");
            out.push(u8::from_str_radix(hex, 16).expect("hex escape"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("utf-8")
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?…?=` or `?q?`) in a header value; whitespace
/// between adjacent encoded words is dropped, as the RFC says.
pub fn decode_header(value: &str) -> String {
    let mut out = String::new();
    let mut previous_encoded = false;
    for (n, word) in value.split_whitespace().enumerate() {
        let lower = word.to_ascii_lowercase();
        let encoded = lower.starts_with("=?utf-8?") && lower.ends_with("?=");
        if n > 0 && !(encoded && previous_encoded) {
            out.push(' ');
        }
        if encoded {
            let inner = &word["=?utf-8?".len()..word.len() - 2];
            let (kind, payload) = inner.split_at(2);
            let bytes = match kind.to_ascii_lowercase().as_str() {
                "b?" => base64::engine::general_purpose::STANDARD.decode(payload).expect("base64 word"),
                "q?" => decode_quoted_printable(&payload.replace('_', " ")).into_bytes(),
                other => panic!("unknown encoded word kind {other}"),
            };
            out.push_str(&String::from_utf8(bytes).expect("utf-8 word"));
        } else {
            out.push_str(word);
        }
        previous_encoded = encoded;
    }
    out
}
