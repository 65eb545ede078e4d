# ruff: noqa: E501  (the feeds are transcribed verbatim, long lines included)
"""Teamtailor career sites: ``footasylum`` and ``career`` (Teamtailor's own) ``jobs.rss``.

No whole recorded feed is public (tests/fixtures/PROVENANCE.md, "Teamtailor"). These two
feeds are transcribed verbatim from live captures quoted in public test suites, which say
what they changed:

- FOOTASYLUM: footasylum.teamtailor.com/jobs.rss captured 2026-07-23, "trimmed from 65 real
  <item>s to 2", long descriptions shortened, "every other value verbatim" —
  github.com/nicholasbraun/job-crawler-poc, internal/ats/teamtailor_test.go
  (``teamtailorSample``, commit 4281ad2f40f511b3c952d70bb1ecf89120a38972);
- CAREER: career.teamtailor.com/jobs.rss captured 2026-08-30, three items, descriptions
  shortened (a Bun test, ``REAL_RSS_FIXTURE``, found by code search).

Each site has its own host; tests give boards ``BASE/footasylum`` and ``BASE/career``, the
replay set records footasylum under its real host (path ``/jobs.rss``).
"""

from __future__ import annotations

from tests.sites import FixtureSite, Reply

FOOTASYLUM = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:tt="https://teamtailor.com/locations">
  <channel>
    <title>Footasylum</title>
    <description>Current Opportunities</description>
    <link>https://footasylum.teamtailor.com/jobs</link>
    <item>
      <title>Sales Assistant</title>
      <description>&lt;h3&gt;&lt;strong&gt;Sales Assistant (Full-Time)&lt;/strong&gt;&lt;/h3&gt;&lt;p&gt;Join the FA team and &lt;em&gt;defy ordinary.&lt;/em&gt;&lt;/p&gt;</description>
      <pubDate>Thu, 23 Jul 2026 14:25:24 +0100</pubDate>
      <link>https://footasylum.teamtailor.com/jobs/8115390-sales-assistant</link>
      <remoteStatus>none</remoteStatus>
      <guid>cbfca3ed-9ed9-4264-9b93-243b208a4441</guid>
      <tt:locations>
        <tt:location>
          <tt:name>Aberdeen Store</tt:name>
          <tt:address>Union Square</tt:address>
          <tt:zip>AB11 5RG</tt:zip>
          <tt:city>Aberdeen</tt:city>
          <tt:country>United Kingdom</tt:country>
        </tt:location>
      </tt:locations>
      <tt:department>Retail</tt:department>
      <tt:role>Full-Time Sales Assistant</tt:role>
    </item>
    <item>
      <title>Senior Sourcing and Costing Assistant</title>
      <description>&lt;p&gt;Lead sourcing &amp;amp; costing.&lt;/p&gt;</description>
      <pubDate>Thu, 23 Jul 2026 11:20:15 +0100</pubDate>
      <link>https://footasylum.teamtailor.com/jobs/8113896-senior-sourcing-and-costing-assistant</link>
      <remoteStatus>none</remoteStatus>
      <guid>2a7f1d0c-1234-4a5b-9c8d-abcdef012345</guid>
      <tt:locations>
        <tt:location>
          <tt:name>Head Office</tt:name>
          <tt:address>Peel House</tt:address>
          <tt:zip>OL16 1XX</tt:zip>
          <tt:city>Rochdale</tt:city>
          <tt:country>United Kingdom</tt:country>
        </tt:location>
      </tt:locations>
      <tt:department>TRAPSTAR</tt:department>
      <tt:role>Senior Sourcing and Costing Assistant</tt:role>
    </item>
  </channel>
</rss>"""

CAREER = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:tt="https://teamtailor.com/locations">
  <channel>
    <title>Teamtailor</title>
    <description>Current job openings</description>
    <link>https://career.teamtailor.com/jobs</link>
    <item>
      <title>Group Financial Controller</title>
      <description>&lt;h4&gt;Join Teamtailor and Help Shape the Future of Work!!&lt;/h4&gt;&lt;p&gt;Full HTML job description here, deliberately long and rich.&lt;/p&gt;</description>
      <pubDate>Fri, 24 Jul 2026 13:57:16 +0200</pubDate>
      <link>https://career.teamtailor.com/jobs/8124573-group-financial-controller</link>
      <remoteStatus>hybrid</remoteStatus>
      <guid>3ce2c88b-cbc6-4ae9-8ecb-000466c69037</guid>
      <tt:locations>
        <tt:location>
          <tt:name>Stockholm</tt:name>
          <tt:address>Östgötagatan 16</tt:address>
          <tt:zip>116 21</tt:zip>
          <tt:city>Stockholm</tt:city>
          <tt:country>Sweden</tt:country>
        </tt:location>
      </tt:locations>
      <tt:department>Finance</tt:department>
      <tt:role/>
      <tt:division/>
    </item>
    <item>
      <title>UK Account Executive - SMB + Mid-Market</title>
      <description>&lt;h4&gt;Let's build the future together!&lt;/h4&gt;&lt;p&gt;Another full HTML description.&lt;/p&gt;</description>
      <pubDate>Fri, 24 Jul 2026 09:05:16 +0200</pubDate>
      <link>https://career.teamtailor.com/jobs/8118064-uk-account-executive-smb-mid-market</link>
      <remoteStatus>hybrid</remoteStatus>
      <guid>4ff07fd5-3ac0-4333-8f4c-955380396321</guid>
      <tt:locations>
        <tt:location>
          <tt:name>London</tt:name>
          <tt:address>16 Laystall Court</tt:address>
          <tt:zip>EC1R 4</tt:zip>
          <tt:city>London</tt:city>
          <tt:country>United Kingdom</tt:country>
        </tt:location>
      </tt:locations>
      <tt:department>Sales</tt:department>
      <tt:role>Account Executive</tt:role>
      <tt:division/>
    </item>
    <item>
      <title>Partnership Manager - APAC</title>
      <description>&lt;p&gt;Yet another full HTML description with multiple locations.&lt;/p&gt;</description>
      <pubDate>Wed, 29 Jul 2026 15:03:12 +0200</pubDate>
      <link>https://career.teamtailor.com/jobs/8144170-partnership-manager-apac</link>
      <remoteStatus>none</remoteStatus>
      <guid>36d9bbe6-6cf5-4c10-b12b-d4bf739777ce</guid>
      <tt:locations>
        <tt:location>
          <tt:name>Sydney</tt:name>
          <tt:address>WeWork - Office Space &amp; Coworking</tt:address>
          <tt:zip>2000</tt:zip>
          <tt:city>Sydney</tt:city>
          <tt:country>Australia</tt:country>
        </tt:location>
        <tt:location>
          <tt:name>Melbourne</tt:name>
          <tt:address/>
          <tt:zip/>
          <tt:city>Melbourne</tt:city>
          <tt:country>Australia</tt:country>
        </tt:location>
      </tt:locations>
      <tt:department>Partnerships</tt:department>
      <tt:role>Partnerships Manager</tt:role>
      <tt:division/>
    </item>
  </channel>
</rss>"""

RSS_TYPE = {"Content-Type": "application/rss+xml; charset=utf-8"}

REPLAY = {"args": {"boards": "https://footasylum.teamtailor.com"}}


def site() -> FixtureSite:
    return (FixtureSite()
            .add("GET", r"(?:/footasylum)?/jobs\.rss", Reply(200, FOOTASYLUM.encode(), RSS_TYPE))
            .add("GET", r"/career/jobs\.rss", Reply(200, CAREER.encode(), RSS_TYPE)))
