# Generated from templates/prometheus/_groups.j2 by agentops_gen.targets.precompiled: do not edit.
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'prometheus/_groups.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_groups = resolve('groups')
    try:
        t_1 = environment.filters['dictsort']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'dictsort' found.")
    try:
        t_2 = environment.filters['yblock']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'yblock' found.")
    try:
        t_3 = environment.filters['yq']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'yq' found.")
    pass
    for l_1_group in (undefined(name='groups') if l_0_groups is missing else l_0_groups):
        _loop_vars = {}
        pass
        yield '  - name: '
        yield str(t_3(environment.getattr(l_1_group, 'name')))
        yield '\n'
        if environment.getattr(l_1_group, 'interval'):
            pass
            yield '    interval: '
            yield str(t_3(environment.getattr(l_1_group, 'interval')))
            yield '\n'
        yield '    rules:\n'
        for l_2_rule in environment.getattr(l_1_group, 'rules'):
            l_2_quoted_labels = resolve('quoted_labels')
            _loop_vars = {}
            pass
            if environment.getattr(l_2_rule, 'record'):
                pass
                yield '      - record: '
                yield str(t_3(environment.getattr(l_2_rule, 'record')))
                yield '\n'
            else:
                pass
                yield '      - alert: '
                yield str(t_3(environment.getattr(l_2_rule, 'alert')))
                yield '\n'
            yield '        expr: '
            yield str(t_2(environment.getattr(l_2_rule, 'expr'), 10))
            yield '\n'
            if environment.getattr(l_2_rule, 'for_'):
                pass
                yield '        for: '
                yield str(t_3(environment.getattr(l_2_rule, 'for_')))
                yield '\n'
            if environment.getattr(l_2_rule, 'keep_firing_for'):
                pass
                yield '        keep_firing_for: '
                yield str(t_3(environment.getattr(l_2_rule, 'keep_firing_for')))
                yield '\n'
            if environment.getattr(l_2_rule, 'labels'):
                pass
                yield '        labels:\n'
                for (l_3_key, l_3_quoted) in context.call((undefined(name='quoted_labels') if l_2_quoted_labels is missing else l_2_quoted_labels), l_2_rule, _loop_vars=_loop_vars):
                    _loop_vars = {}
                    pass
                    yield '          '
                    yield str(l_3_key)
                    yield ': '
                    yield str(l_3_quoted)
                    yield '\n'
                l_3_key = l_3_quoted = missing
            if environment.getattr(l_2_rule, 'annotations'):
                pass
                yield '        annotations:\n'
                for (l_3_key, l_3_value) in t_1(environment.getattr(l_2_rule, 'annotations')):
                    _loop_vars = {}
                    pass
                    yield '          '
                    yield str(t_3(l_3_key))
                    yield ': '
                    yield str(t_3(l_3_value))
                    yield '\n'
                l_3_key = l_3_value = missing
        l_2_rule = l_2_quoted_labels = missing
    l_1_group = missing

blocks = {}
debug_info = '3=30&4=34&5=36&6=39&9=42&10=46&11=49&13=54&15=57&16=59&17=62&19=64&20=67&22=69&25=72&26=76&29=81&31=84&32=88'
