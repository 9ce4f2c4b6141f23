-- Baton schema, version 133: the free-mail domains that never join
-- customers are the common providers' in every country they serve, and an
-- administrator adds one for everyone with baton settings (#12).
--
-- 010's list had 48 domains: gmail.com and gmx.de but not hotmail.de,
-- yahoo.es, outlook.fr or live.co.uk.  A review imported two Zendesk users
-- at hotmail.de, of two organisations, and the two became one customer
-- ("same domain hotmail.de"), with each other's tickets and campaigns on
-- one screen.  The list now holds the providers' country domains
-- (Microsoft's hotmail/outlook/live, Yahoo, AOL, GMX, Yandex), the large
-- national providers and ISPs' mail, and common throwaway-address
-- services: 353 domains.  A company's own domain on it (an ISP as a
-- customer) only never joins records; a free-mail domain missing from it
-- makes a wrong merge, which is the worse mistake.
--
-- The configuration's import.shared_domains stays for a client's own
-- additions; a rule every client must obey belongs in the database, so
-- baton_shared_domain_add and _remove (administrators, audited like every
-- setting) change the list for everyone: baton settings shared-domain add
-- hotmail.example.  builtin tells Baton's list from what administrators
-- added, which baton settings show lists.  Merges made before by a domain
-- now on the list stay until split: baton doctor names how many.
ALTER TABLE baton_shared_domain ADD COLUMN builtin boolean NOT NULL DEFAULT false;

-- Baton's own list is the schema's, not an administrator's change: not in
-- the audit log (010's was written before its triggers).
ALTER TABLE baton_shared_domain DISABLE TRIGGER baton_shared_domain_audit_ins,
    DISABLE TRIGGER baton_shared_domain_audit_upd;
UPDATE baton_shared_domain SET builtin = true WHERE domain IN (
    'gmail.com', 'googlemail.com', 'yahoo.com', 'yahoo.co.uk', 'yahoo.fr',
    'ymail.com', 'hotmail.com', 'hotmail.co.uk', 'hotmail.fr', 'outlook.com',
    'live.com', 'msn.com', 'icloud.com', 'me.com', 'mac.com', 'aol.com',
    'gmx.de', 'gmx.net', 'gmx.com', 'web.de', 'mail.com', 'proton.me',
    'protonmail.com', 'pm.me', 'yandex.ru', 'yandex.com', 'mail.ru', 'qq.com',
    '163.com', '126.com', 'zoho.com', 'fastmail.com', 'hey.com', 'tutanota.com',
    't-online.de', 'orange.fr', 'free.fr', 'laposte.net', 'libero.it',
    'btinternet.com', 'comcast.net', 'verizon.net', 'att.net', 'seznam.cz',
    'wp.pl', 'o2.pl', 'naver.com', 'rediffmail.com');
INSERT INTO baton_shared_domain (domain, builtin)
SELECT d, true FROM unnest(ARRAY[
    '10minutemail.com', '126.com', '139.com', '163.com', '189.cn',
    '1und1.de', 'abv.bg', 'aim.com', 'alice.it', 'aliceadsl.fr',
    'aliyun.com', 'aol.co.uk', 'aol.com', 'aol.com.au', 'aol.com.br',
    'aol.de', 'aol.es', 'aol.fr', 'aol.it', 'aol.nl', 'aon.at', 'arcor.de',
    'atlas.cz', 'att.net', 'au.com', 'bbox.fr', 'bellsouth.net',
    'bigpond.com', 'bigpond.net.au', 'bk.ru', 'bluewin.ch',
    'blueyonder.co.uk', 'bol.com.br', 'btinternet.com', 'btopenworld.com',
    'casema.nl', 'centrum.cz', 'charter.net', 'chello.at', 'chello.nl',
    'citromail.hu', 'club-internet.fr', 'comcast.net', 'cox.net', 'daum.net',
    'docomo.ne.jp', 'earthlink.net', 'email.com', 'email.cz', 'email.de',
    'email.it', 'ezweb.ne.jp', 'fastmail.com', 'fastmail.fm',
    'fastwebnet.it', 'foxmail.com', 'free.fr', 'freemail.hu', 'freenet.de',
    'frontier.com', 'gazeta.pl', 'gmail.com', 'gmx.at', 'gmx.ch',
    'gmx.co.uk', 'gmx.com', 'gmx.de', 'gmx.es', 'gmx.eu', 'gmx.fr',
    'gmx.info', 'gmx.it', 'gmx.net', 'gmx.us', 'googlemail.com',
    'guerrillamail.com', 'hanmail.net', 'hetnet.nl', 'hey.com', 'hispeed.ch',
    'home.nl', 'hotmail.at', 'hotmail.be', 'hotmail.ca', 'hotmail.ch',
    'hotmail.cl', 'hotmail.co.in', 'hotmail.co.jp', 'hotmail.co.kr',
    'hotmail.co.nz', 'hotmail.co.th', 'hotmail.co.uk', 'hotmail.co.za',
    'hotmail.com', 'hotmail.com.ar', 'hotmail.com.au', 'hotmail.com.br',
    'hotmail.com.hk', 'hotmail.com.mx', 'hotmail.com.tr', 'hotmail.com.tw',
    'hotmail.cz', 'hotmail.de', 'hotmail.dk', 'hotmail.es', 'hotmail.fi',
    'hotmail.fr', 'hotmail.gr', 'hotmail.hu', 'hotmail.ie', 'hotmail.it',
    'hotmail.my', 'hotmail.nl', 'hotmail.no', 'hotmail.ph', 'hotmail.pt',
    'hotmail.rs', 'hotmail.ru', 'hotmail.se', 'hotmail.sg', 'hotmail.sk',
    'hushmail.com', 'i.softbank.jp', 'icloud.com', 'ig.com.br',
    'iinet.net.au', 'inbox.com', 'inbox.ru', 'interia.pl', 'internet.ru',
    'inwind.it', 'iol.it', 'juno.com', 'kabelmail.de', 'keemail.me',
    'kpnmail.nl', 'laposte.net', 'libero.it', 'list.ru', 'live.at',
    'live.be', 'live.ca', 'live.ch', 'live.cl', 'live.cn', 'live.co.kr',
    'live.co.uk', 'live.co.za', 'live.com', 'live.com.ar', 'live.com.au',
    'live.com.co', 'live.com.mx', 'live.com.my', 'live.com.pe',
    'live.com.ph', 'live.com.pt', 'live.com.sg', 'live.com.ve', 'live.de',
    'live.dk', 'live.fi', 'live.fr', 'live.hk', 'live.ie', 'live.in',
    'live.it', 'live.jp', 'live.nl', 'live.no', 'live.ph', 'live.ru',
    'live.se', 'mac.com', 'mail.com', 'mail.ru', 'mailbox.org',
    'mailinator.com', 'me.com', 'msn.com', 'mynet.com', 'nate.com',
    'naver.com', 'netzero.net', 'neuf.fr', 'nifty.com', 'ntlworld.com',
    'numericable.fr', 'o2.pl', 'onet.eu', 'onet.pl', 'online.de',
    'online.no', 'op.pl', 'optonline.net', 'optusnet.com.au', 'orange.fr',
    'otenet.gr', 'outlook.at', 'outlook.be', 'outlook.cl', 'outlook.co.id',
    'outlook.co.il', 'outlook.co.nz', 'outlook.co.th', 'outlook.co.uk',
    'outlook.com', 'outlook.com.ar', 'outlook.com.au', 'outlook.com.br',
    'outlook.com.gr', 'outlook.com.tr', 'outlook.com.vn', 'outlook.cz',
    'outlook.de', 'outlook.dk', 'outlook.es', 'outlook.fr', 'outlook.hu',
    'outlook.ie', 'outlook.in', 'outlook.it', 'outlook.jp', 'outlook.kr',
    'outlook.lv', 'outlook.my', 'outlook.nl', 'outlook.ph', 'outlook.pt',
    'outlook.sa', 'outlook.se', 'outlook.sg', 'outlook.sk', 'passport.com',
    'planet.nl', 'pm.me', 'poczta.onet.pl', 'posteo.de', 'posteo.net',
    'proton.me', 'protonmail.ch', 'protonmail.com', 'qq.com', 'rambler.ru',
    'rediffmail.com', 'roadrunner.com', 'rocketmail.com', 'rogers.com',
    'rr.com', 'sapo.pt', 'sbcglobal.net', 'seznam.cz', 'sfr.fr',
    'sharklasers.com', 'shaw.ca', 'sina.cn', 'sina.com', 'sky.com',
    'skynet.be', 'softbank.ne.jp', 'sohu.com', 'sympatico.ca', 't-online.de',
    'talktalk.net', 'telefonica.net', 'telenet.be', 'telia.com', 'telus.net',
    'temp-mail.org', 'terra.com.br', 'terra.es', 'tim.it', 'tin.it',
    'tiscali.co.uk', 'tiscali.it', 'trashmail.com', 'tuta.com', 'tuta.io',
    'tutamail.com', 'tutanota.com', 'tutanota.de', 'uol.com.br', 'usa.com',
    'verizon.net', 'videotron.ca', 'virgilio.it', 'virginmedia.com',
    'vodafone.de', 'walla.co.il', 'wanadoo.fr', 'web.de', 'windowslive.com',
    'windstream.net', 'wp.pl', 'ya.ru', 'yahoo.at', 'yahoo.be', 'yahoo.ca',
    'yahoo.ch', 'yahoo.cl', 'yahoo.cn', 'yahoo.co.id', 'yahoo.co.in',
    'yahoo.co.jp', 'yahoo.co.kr', 'yahoo.co.nz', 'yahoo.co.th',
    'yahoo.co.uk', 'yahoo.co.za', 'yahoo.com', 'yahoo.com.ar',
    'yahoo.com.au', 'yahoo.com.br', 'yahoo.com.co', 'yahoo.com.hk',
    'yahoo.com.mx', 'yahoo.com.my', 'yahoo.com.pe', 'yahoo.com.ph',
    'yahoo.com.sg', 'yahoo.com.tr', 'yahoo.com.tw', 'yahoo.com.ve',
    'yahoo.com.vn', 'yahoo.de', 'yahoo.dk', 'yahoo.es', 'yahoo.fi',
    'yahoo.fr', 'yahoo.gr', 'yahoo.ie', 'yahoo.in', 'yahoo.it',
    'yahoo.ne.jp', 'yahoo.nl', 'yahoo.no', 'yahoo.pl', 'yahoo.ro',
    'yahoo.se', 'yandex.by', 'yandex.com', 'yandex.com.tr', 'yandex.kz',
    'yandex.ru', 'yandex.ua', 'yeah.net', 'ymail.com', 'yopmail.com',
    'ziggo.nl', 'zoho.com', 'zoho.eu', 'zohomail.com', 'zohomail.eu'
]) d
ON CONFLICT (domain) DO UPDATE SET builtin = true;
ALTER TABLE baton_shared_domain ENABLE TRIGGER baton_shared_domain_audit_ins,
    ENABLE TRIGGER baton_shared_domain_audit_upd;

-- A domain as identifiers are (095): "www.Hotmail.DE", a URL or an address
-- at it are hotmail.de.  Each returns whether the list changed.
CREATE FUNCTION baton_shared_domain_add(p_domain text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v text := baton_norm_domain(p_domain);
BEGIN
    PERFORM baton_require_admin();
    IF v IS NULL OR v !~ '^[^[:space:]/@.]+(\.[^[:space:]/@.]+)+$' OR length(v) > 253 THEN
        RAISE EXCEPTION 'a shared domain is a domain name like mail.example, not "%"', p_domain
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO baton_shared_domain (domain) VALUES (v) ON CONFLICT (domain) DO NOTHING;
    RETURN FOUND;
END $$;

-- Also one of Baton's own (a customer that is an ISP, whose company
-- domain is its customers' mail domain too).
CREATE FUNCTION baton_shared_domain_remove(p_domain text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM baton_require_admin();
    DELETE FROM baton_shared_domain s WHERE s.domain = baton_norm_domain(p_domain);
    RETURN FOUND;
END $$;

REVOKE ALL ON FUNCTION baton_shared_domain_add(text), baton_shared_domain_remove(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION baton_shared_domain_add(text), baton_shared_domain_remove(text)
    TO baton_staff, baton_admin;
