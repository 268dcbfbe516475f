# Generated from templates/alertmanager/alertmanager.yml.j2 by agentops_gen.targets.precompiled: do not edit.
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'alertmanager/alertmanager.yml.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_sources = resolve('sources')
    l_0_am = resolve('am')
    l_0_matcher_list = l_0_route_fields = missing
    try:
        t_1 = environment.filters['comment']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'comment' found.")
    try:
        t_2 = environment.filters['dictsort']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'dictsort' found.")
    try:
        t_3 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    try:
        t_4 = environment.filters['tojson']
    except KeyError:
        @internalcode
        def t_4(*unused):
            raise TemplateRuntimeError("No filter named 'tojson' found.")
    try:
        t_5 = environment.filters['trim']
    except KeyError:
        @internalcode
        def t_5(*unused):
            raise TemplateRuntimeError("No filter named 'trim' found.")
    try:
        t_6 = environment.filters['yq']
    except KeyError:
        @internalcode
        def t_6(*unused):
            raise TemplateRuntimeError("No filter named 'yq' found.")
    try:
        t_7 = environment.tests['none']
    except KeyError:
        @internalcode
        def t_7(*unused):
            raise TemplateRuntimeError("No test named 'none' found.")
    pass
    def macro(l_1_matchers, l_1_pad):
        t_8 = []
        if l_1_matchers is missing:
            l_1_matchers = undefined("parameter 'matchers' was not provided", name='matchers')
        if l_1_pad is missing:
            l_1_pad = undefined("parameter 'pad' was not provided", name='pad')
        pass
        for l_2_m in l_1_matchers:
            _loop_vars = {}
            pass
            t_8.extend((
                str(l_1_pad),
                '  - ',
                str(t_6(context.call(environment.getattr(l_2_m, 'render'), _loop_vars=_loop_vars))),
                '\n',
            ))
        l_2_m = missing
        return concat(t_8)
    context.exported_vars.add('matcher_list')
    context.vars['matcher_list'] = l_0_matcher_list = Macro(environment, macro, 'matcher_list', ('matchers', 'pad'), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_route, l_1_pad):
        t_9 = []
        if l_1_route is missing:
            l_1_route = undefined("parameter 'route' was not provided", name='route')
        if l_1_pad is missing:
            l_1_pad = undefined("parameter 'pad' was not provided", name='pad')
        pass
        if environment.getattr(l_1_route, 'matchers'):
            pass
            t_9.extend((
                str(l_1_pad),
                'matchers:\n',
                str(context.call(environment.getattr(context.call((undefined(name='matcher_list') if l_0_matcher_list is missing else l_0_matcher_list), environment.getattr(l_1_route, 'matchers'), l_1_pad), 'rstrip'))),
                '\n',
            ))
        if environment.getattr(l_1_route, 'receiver'):
            pass
            t_9.extend((
                str(l_1_pad),
                'receiver: ',
                str(t_6(environment.getattr(l_1_route, 'receiver'))),
                '\n',
            ))
        if (not t_7(environment.getattr(l_1_route, 'group_by'))):
            pass
            t_9.extend((
                str(l_1_pad),
                'group_by: [',
            ))
            l_2_loop = missing
            for l_2_g, l_2_loop in LoopContext(environment.getattr(l_1_route, 'group_by'), undefined):
                _loop_vars = {}
                pass
                t_9.extend((
                    str(t_6(l_2_g)),
                    str((', ' if (not environment.getattr(l_2_loop, 'last')) else cond_expr_undefined("the inline if-expression on line 15 in 'alertmanager/alertmanager.yml.j2' evaluated to false and no else section was defined."))),
                ))
            l_2_loop = l_2_g = missing
            t_9.append(
                ']\n',
            )
        if environment.getattr(l_1_route, 'mute_time_intervals'):
            pass
            t_9.extend((
                str(l_1_pad),
                'mute_time_intervals: [',
            ))
            l_2_loop = missing
            for l_2_t, l_2_loop in LoopContext(environment.getattr(l_1_route, 'mute_time_intervals'), undefined):
                _loop_vars = {}
                pass
                t_9.extend((
                    str(t_6(l_2_t)),
                    str((', ' if (not environment.getattr(l_2_loop, 'last')) else cond_expr_undefined("the inline if-expression on line 18 in 'alertmanager/alertmanager.yml.j2' evaluated to false and no else section was defined."))),
                ))
            l_2_loop = l_2_t = missing
            t_9.append(
                ']\n',
            )
        if environment.getattr(l_1_route, 'continue_'):
            pass
            t_9.extend((
                str(l_1_pad),
                'continue: true\n',
            ))
        return concat(t_9)
    context.exported_vars.add('route_fields')
    context.vars['route_fields'] = l_0_route_fields = Macro(environment, macro, 'route_fields', ('route', 'pad'), False, False, False, context.eval_ctx.autoescape)
    yield '# Generated by agentops-gen from '
    yield str(t_1(t_3(context.eval_ctx, (undefined(name='sources') if l_0_sources is missing else l_0_sources), ', ')))
    yield '. DO NOT EDIT: change the specs and re-render.\n# Target: Alertmanager '
    yield str(environment.getattr(environment.getattr((undefined(name='am') if l_0_am is missing else l_0_am), 'settings'), 'version'))
    yield '. Secrets are read from the *_file paths when a notification is sent.\nglobal:\n  resolve_timeout: '
    yield str(t_6(environment.getattr(environment.getattr((undefined(name='am') if l_0_am is missing else l_0_am), 'settings'), 'resolve_timeout')))
    yield '\ntemplates:\n'
    for l_1_t in environment.getattr((undefined(name='am') if l_0_am is missing else l_0_am), 'templates'):
        _loop_vars = {}
        pass
        yield '  - '
        yield str(t_6(l_1_t))
        yield '\n'
    l_1_t = missing
    yield 'route:\n'
    yield str(context.call(environment.getattr(context.call((undefined(name='route_fields') if l_0_route_fields is missing else l_0_route_fields), environment.getattr((undefined(name='am') if l_0_am is missing else l_0_am), 'root'), '  '), 'rstrip')))
    yield '\n  group_wait: '
    yield str(t_6(environment.getattr(environment.getattr((undefined(name='am') if l_0_am is missing else l_0_am), 'settings'), 'group_wait')))
    yield '\n  group_interval: '
    yield str(t_6(environment.getattr(environment.getattr((undefined(name='am') if l_0_am is missing else l_0_am), 'settings'), 'group_interval')))
    yield '\n  repeat_interval: '
    yield str(t_6(environment.getattr(environment.getattr((undefined(name='am') if l_0_am is missing else l_0_am), 'settings'), 'repeat_interval')))
    yield '\n'
    if environment.getattr(environment.getattr((undefined(name='am') if l_0_am is missing else l_0_am), 'root'), 'routes'):
        pass
        yield '  routes:\n'
        for l_1_service in environment.getattr(environment.getattr((undefined(name='am') if l_0_am is missing else l_0_am), 'root'), 'routes'):
            _loop_vars = {}
            pass
            yield '    # '
            yield str(t_1(environment.getattr(l_1_service, 'note')))
            yield '\n    - '
            yield str(t_5(context.call((undefined(name='route_fields') if l_0_route_fields is missing else l_0_route_fields), l_1_service, '      ', _loop_vars=_loop_vars)))
            yield '\n'
            if environment.getattr(l_1_service, 'routes'):
                pass
                yield '      routes:\n'
                for l_2_child in environment.getattr(l_1_service, 'routes'):
                    _loop_vars = {}
                    pass
                    yield '        - '
                    yield str(t_5(context.call((undefined(name='route_fields') if l_0_route_fields is missing else l_0_route_fields), l_2_child, '          ', _loop_vars=_loop_vars)))
                    yield '\n'
                l_2_child = missing
        l_1_service = missing
    if environment.getattr((undefined(name='am') if l_0_am is missing else l_0_am), 'inhibit_rules'):
        pass
        yield 'inhibit_rules:\n'
        l_1_loop = missing
        for l_1_rule, l_1_loop in LoopContext(environment.getattr((undefined(name='am') if l_0_am is missing else l_0_am), 'inhibit_rules'), undefined):
            _loop_vars = {}
            pass
            yield '  # '
            yield str(t_1(environment.getattr(l_1_rule, 'why')))
            yield '\n  - source_matchers:\n'
            yield str(context.call(environment.getattr(context.call((undefined(name='matcher_list') if l_0_matcher_list is missing else l_0_matcher_list), environment.getattr(l_1_rule, 'source'), '    ', _loop_vars=_loop_vars), 'rstrip'), _loop_vars=_loop_vars))
            yield '\n    target_matchers:\n'
            yield str(context.call(environment.getattr(context.call((undefined(name='matcher_list') if l_0_matcher_list is missing else l_0_matcher_list), environment.getattr(l_1_rule, 'target'), '    ', _loop_vars=_loop_vars), 'rstrip'), _loop_vars=_loop_vars))
            yield '\n    equal: ['
            l_2_loop = missing
            for l_2_e, l_2_loop in LoopContext(environment.getattr(l_1_rule, 'equal'), undefined):
                _loop_vars = {}
                pass
                yield str(t_6(l_2_e))
                yield str((', ' if (not environment.getattr(l_2_loop, 'last')) else cond_expr_undefined("the inline if-expression on line 58 in 'alertmanager/alertmanager.yml.j2' evaluated to false and no else section was defined.")))
            l_2_loop = l_2_e = missing
            yield ']\n'
        l_1_loop = l_1_rule = missing
    if environment.getattr((undefined(name='am') if l_0_am is missing else l_0_am), 'time_intervals'):
        pass
        yield 'time_intervals:\n'
        l_1_loop = missing
        for (l_1_name, l_1_entries), l_1_loop in LoopContext(t_2(environment.getattr((undefined(name='am') if l_0_am is missing else l_0_am), 'time_intervals')), undefined):
            _loop_vars = {}
            pass
            yield '  - name: '
            yield str(t_6(l_1_name))
            yield '\n    time_intervals:\n'
            l_2_loop = missing
            for l_2_entry, l_2_loop in LoopContext(l_1_entries, undefined):
                _loop_vars = {}
                pass
                l_3_loop = missing
                for (l_3_key, l_3_value), l_3_loop in LoopContext(context.call(environment.getattr(l_2_entry, 'items'), _loop_vars=_loop_vars), undefined):
                    _loop_vars = {}
                    pass
                    yield '      '
                    yield str(('- ' if environment.getattr(l_3_loop, 'first') else '  '))
                    yield str(l_3_key)
                    yield ': '
                    yield str(t_4(l_3_value))
                    yield '\n'
                l_3_loop = l_3_key = l_3_value = missing
            l_2_loop = l_2_entry = missing
        l_1_loop = l_1_name = l_1_entries = missing
    yield 'receivers:\n'
    l_1_loop = missing
    for l_1_receiver, l_1_loop in LoopContext(environment.getattr((undefined(name='am') if l_0_am is missing else l_0_am), 'receivers'), undefined):
        _loop_vars = {}
        pass
        yield '  # '
        yield str(t_1(environment.getattr(l_1_receiver, 'origin')))
        yield '\n  - name: '
        yield str(t_6(environment.getattr(l_1_receiver, 'name')))
        yield '\n'
        l_2_loop = missing
        for (l_2_kind, l_2_entries), l_2_loop in LoopContext(context.call(environment.getattr(environment.getattr(l_1_receiver, 'integrations'), 'items'), _loop_vars=_loop_vars), undefined):
            _loop_vars = {}
            pass
            yield '    '
            yield str(l_2_kind)
            yield '_configs:\n'
            l_3_loop = missing
            for l_3_entry, l_3_loop in LoopContext(l_2_entries, undefined):
                _loop_vars = {}
                pass
                l_4_loop = missing
                for (l_4_key, l_4_value), l_4_loop in LoopContext(context.call(environment.getattr(l_3_entry, 'items'), _loop_vars=_loop_vars), undefined):
                    _loop_vars = {}
                    pass
                    yield '      '
                    yield str(('- ' if environment.getattr(l_4_loop, 'first') else '  '))
                    yield str(l_4_key)
                    yield ': '
                    yield str(t_4(l_4_value))
                    yield '\n'
                l_4_loop = l_4_key = l_4_value = missing
            l_3_loop = l_3_entry = missing
        l_2_loop = l_2_kind = l_2_entries = missing
    l_1_loop = l_1_receiver = missing

blocks = {}
debug_info = '1=56&2=63&3=67&6=76&7=83&8=86&9=88&11=91&12=94&14=99&15=102&17=117&18=120&20=135&21=138&24=145&25=147&27=149&29=151&30=155&33=159&34=161&35=163&36=165&37=167&39=170&40=174&41=176&42=178&44=181&45=185&50=189&52=193&53=197&55=199&57=201&58=204&61=212&63=216&64=220&66=223&67=227&68=231&74=241&75=245&76=247&77=250&78=254&79=257&80=261&81=265'
