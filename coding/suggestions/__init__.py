"""Offline code suggestions: passages of a source ranked for each code by a classifier trained
on the project's own codings and the codebook's words (`ranking`), over character n-gram
vectors (`vectors`) with the passages' closeness to the codes' definitions in word stems
(`definitions`) and, when chosen, a packaged multilingual sentence encoder (`sentences`);
suggestions stored per coder, accepted or rejected (`store`); passages like a chosen one
across the project (`similar`). Nothing leaves the machine, nothing is downloaded."""
