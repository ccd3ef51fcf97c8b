//! A byte mutator in the style of AFL's havoc stage: one to eight stacked changes (bit flips,
//! interesting bytes, deleted, repeated and inserted ranges, the target's syntax tokens,
//! splices with another input) to a seed. Not coverage-guided: it reaches what structure-aware
//! seeds and dictionaries bring into range, and is reproducible from its seed.

pub struct Mutator {
    state: u64,
}

const MAX_LEN: usize = 64 * 1024;
const INTERESTING: [u8; 10] = [0, 1, 0x7f, 0x80, 0xff, b'\n', b'\r', b' ', b'"', b'\\'];

impl Mutator {
    pub fn new(seed: u64) -> Mutator {
        Mutator { state: seed | 1 }
    }

    /// xorshift64*.
    pub fn next_u64(&mut self) -> u64 {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// A changed copy of `input`.
    pub fn mutate(&mut self, input: &[u8], corpus: &[Vec<u8>], dictionary: &[&[u8]]) -> Vec<u8> {
        let mut out = input.to_vec();
        let rounds = 1 << self.below(4);
        for _ in 0..rounds {
            self.once(&mut out, corpus, dictionary);
        }
        out.truncate(MAX_LEN);
        out
    }

    fn once(&mut self, out: &mut Vec<u8>, corpus: &[Vec<u8>], dictionary: &[&[u8]]) {
        let len = out.len();
        match self.below(8) {
            0 if len > 0 => {
                let i = self.below(len);
                out[i] ^= 1 << self.below(8);
            }
            1 if len > 0 => {
                let i = self.below(len);
                out[i] = INTERESTING[self.below(INTERESTING.len())];
            }
            2 if len > 1 => {
                let start = self.below(len);
                let end = (start + 1 + self.below(32)).min(len);
                out.drain(start..end);
            }
            3 if len > 0 => {
                let start = self.below(len);
                let end = (start + 1 + self.below(64)).min(len);
                let piece = out[start..end].to_vec();
                let at = self.below(len + 1);
                let times = 1 + self.below(4);
                for _ in 0..times {
                    out.splice(at..at, piece.iter().copied());
                }
            }
            4 | 5 if !dictionary.is_empty() => {
                let token = dictionary[self.below(dictionary.len())];
                let at = self.below(len + 1);
                out.splice(at..at, token.iter().copied());
            }
            6 if !corpus.is_empty() => {
                let other = &corpus[self.below(corpus.len())];
                if !other.is_empty() {
                    let from = self.below(other.len());
                    let to = (from + 1 + self.below(256)).min(other.len());
                    let at = self.below(len + 1);
                    out.splice(at..at, other[from..to].iter().copied());
                }
            }
            _ => {
                let at = self.below(len + 1);
                let byte = (self.next_u64() & 0xff) as u8;
                out.insert(at, byte);
            }
        }
    }
}
