"""`agentops-gen import sloth|openslo`: turn other tools' SLO specs into ours, one spec file per service.

One module per source format (sloth.py, openslo.py) reads located documents (source.py) into Drafts
(draft.py); writer.py lays a Draft out as commented YAML; run.py validates every Draft with the spec
language's own validator before anything is written.
"""
