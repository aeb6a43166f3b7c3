#!/usr/bin/env python3
"""Random one-letter typos of the judged queries, and how much of each query's top ten
the misspelt query keeps: a check of the typo correction on typos nobody chose.

For SEEDS seeds, every judged query that is not itself a misspelt twin has one word of
four letters or more changed by one random edit (a letter dropped, added, changed, or
two neighbours swapped, at a random place, the first letter included). The misspelt
query's top ten (`newsidx search --json --limit 10`, corrected as a user's would be) is
compared with the correct query's. Prints, for typos in the first letter and elsewhere,
the mean share kept, the share of queries that keep all ten, and how many keep less
than 70%. V=1 lists those.

    NEWSIDX_BIN=target/release/newsidx NEWSIDX_INDEX=idx python3 tools/typo_share.py 8

where idx is an index of tests/data/relevance/articles.csv (unpacked).
"""
import random, subprocess, json, sys, os
BIN=os.environ.get('NEWSIDX_BIN','newsidx'); IDX=os.environ.get('NEWSIDX_INDEX','idx')
DATA=os.path.join(os.path.dirname(os.path.abspath(__file__)),'..','tests','data','relevance')
def run(q):
    r=subprocess.run([BIN,'search',q,'--index',IDX,'--json','--limit','10'],capture_output=True,text=True)
    ids=[];cq=None
    for l in r.stdout.splitlines():
        if l.startswith('{"rank"'): ids.append(json.loads(l)['id'])
        elif l.startswith('{'):
            d=json.loads(l)
            if 'corrected' in d: cq=d.get('corrected')
    return ids, cq, r.stdout
L='abcdefghijklmnopqrstuvwxyz'
def typo(w,rng):
    i=rng.randrange(len(w)); k=rng.choice(['del','swap','sub','ins'])
    c=rng.choice(L)
    if w[i].isupper(): c=c.upper()
    if k=='del': return w[:i]+w[i+1:],i
    if k=='swap':
        i=min(i,len(w)-2); a,b=w[i],w[i+1]
        if w[i].isupper(): a,b=b.upper(),a.lower()
        return w[:i]+a+b+w[i+2:],i
    if k=='ins': return w[:i]+c+w[i:],i
    while c.lower()==w[i].lower(): c=rng.choice(L)
    return w[:i]+c+w[i+1:],i
qs=[l.rstrip('\n').split('\t') for l in open(os.path.join(DATA,'queries.tsv'),encoding='utf-8') if l.startswith('q') and not l.startswith('query_id')]
tw=set(l.split()[0] for l in open(os.path.join(DATA,'misspelled.tsv'),encoding='utf-8') if l.startswith('q'))
cache={}
res={'first':[], 'rest':[]}
for seed in range(1,int(sys.argv[1]) if len(sys.argv)>1 else 8+1):
    rng=random.Random(seed)
    for qid,q,need,s in qs:
        if qid in tw: continue
        words=[w for w in q.split() if w.isalpha() and len(w)>=4]
        if not words: continue
        w=rng.choice(words); t,i=typo(w,rng)
        if t.lower()==w.lower(): continue
        mq=q.replace(w,t,1)
        if q not in cache: cache[q]=run(q)[0]
        a=cache[q]; b=run(mq)[0]
        if not a: continue
        sh=len(set(a)&set(b))/len(a)
        res['first' if i==0 else 'rest'].append((sh,q,mq))
for k,v in res.items():
    m=sum(x[0] for x in v)/max(1,len(v))
    print(k,len(v),'mean share %.3f'%m,'full %.3f'%(sum(x[0]==1 for x in v)/max(1,len(v))),'<0.7: %d'%sum(x[0]<0.7 for x in v))
allv=res['first']+res['rest']
print('all',len(allv),'mean %.3f'%(sum(x[0] for x in allv)/len(allv)))
if os.environ.get('V'):
    for x in sorted(allv)[:40]:
        if x[0]<0.7: print('  %.2f %s -> %s'%x)
