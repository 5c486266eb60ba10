import html, re, sys
# Used by test_map_labels.sh (not a test of its own).
# boxes.py BBOX_HTML NAMES_FILE: for each province name (code|name lines), the union box of
# its words in pdftotext -bbox output (words in content order); prints count and overlaps.
words = [(float(a), float(b), float(c), float(d), html.unescape(t))
         for a, b, c, d, t in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', open(sys.argv[1], encoding='utf-8').read())]
names = [l.rstrip('\n').split('|', 1)[1] for l in open(sys.argv[2], encoding='utf-8') if '|' in l]
boxes, missing = {}, []
for n in names:
    parts = n.split()
    found = None
    for i in range(len(words) - len(parts) + 1):
        seq = words[i:i + len(parts)]
        if [w[4] for w in seq] == parts and all(abs(w[1] - seq[0][1]) < 3 for w in seq):
            # skip archipelago notes "(TP Đà Nẵng)": their words carry the parentheses
            found = (min(w[0] for w in seq), min(w[1] for w in seq), max(w[2] for w in seq), max(w[3] for w in seq))
            break
    if found: boxes[n] = found
    else: missing.append(n)
over = []
ks = list(boxes)
for i in range(len(ks)):
    for j in range(i + 1, len(ks)):
        a, b = boxes[ks[i]], boxes[ks[j]]
        if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]:
            over.append(ks[i] + ' / ' + ks[j])
print(len(boxes), len(over))
for m in missing: print('missing:', m)
for o in over: print('overlap:', o)
