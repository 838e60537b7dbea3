//! Command-line arguments, parsed by hand: the contenders take a handful of flags.

pub struct Args {
    pub contender: String,
    pub url: String,
    pub requests: usize,
    pub size: usize,
    pub flavor: String,
    pub h2c: bool,
    pub ca: Option<String>,
    /// `--urls FILE`: the URLs to fetch (one per line), instead of `--url` N times.
    pub urls: Vec<String>,
}

impl Args {
    pub fn parse() -> Result<Args, String> {
        let mut raw = std::env::args().skip(1);
        let contender = raw.next().ok_or("missing contender")?;
        let mut args = Args {
            contender,
            url: String::new(),
            requests: 1000,
            size: 50,
            flavor: "mt".into(),
            h2c: false,
            ca: None,
            urls: Vec::new(),
        };
        while let Some(flag) = raw.next() {
            let mut value = || raw.next().ok_or(format!("{flag} needs a value"));
            match flag.as_str() {
                "--url" => args.url = value()?,
                "--requests" => args.requests = value()?.parse().map_err(|e| format!("--requests: {e}"))?,
                "--size" => args.size = value()?.parse().map_err(|e| format!("--size: {e}"))?,
                "--flavor" => args.flavor = value()?,
                "--ca" => args.ca = Some(value()?),
                "--h2c" => args.h2c = true,
                "--urls" => {
                    let path = value()?;
                    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
                    args.urls = text.lines().filter(|l| !l.is_empty()).map(str::to_owned).collect();
                    args.requests = args.urls.len();
                }
                other => return Err(format!("unknown flag {other}")),
            }
        }
        Ok(args)
    }

    /// The runtime flavour asked for: `ct` current-thread, `mt` multi-thread (2 workers).
    pub fn runtime(&self) -> tokio::runtime::Runtime {
        let built = if self.flavor == "ct" {
            tokio::runtime::Builder::new_current_thread().enable_all().build()
        } else {
            tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()
        };
        built.unwrap_or_else(|e| {
            eprintln!("can't build a runtime: {e}");
            std::process::exit(1)
        })
    }

    pub fn ca_pem(&self) -> Result<Option<Vec<u8>>, String> {
        match &self.ca {
            Some(path) => std::fs::read(path).map(Some).map_err(|e| format!("{path}: {e}")),
            None => Ok(None),
        }
    }
}
